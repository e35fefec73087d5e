"""Officers' category decisions as training candidates (issue 10): only public worked
tickets, masked, named by a keyed hash; accepted and relabelled ones exported to
reviewed.yml without duplicates, conflicts or near copies of the held-out set."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.category_model import get_model, read_examples
from bot.category_review import candidate_key, candidates, decide, export_reviewed
from bot.store.consent import ConsentRepository
from bot.store.models import Category, Privacy, Ticket, TicketStatus
from bot.store.repository import ComplaintDraft, Repository

SECRET = "test-secret"
# The model reads this as kebersihan; the officer's category says infrastruktur.
STORY = "Sampah menumpuk di gang Mawar dan baunya sampai ke rumah, hubungi saya di 081234567890"

OTHER_STORY = "Tumpukan sampah di pinggir jalan Kenanga tidak diangkut dua minggu, lalatnya banyak"


def file(repo: Repository, text: str, privacy: Privacy, status: TicketStatus, n: int) -> str:
    sender = str(7_000_000 + n)
    ConsentRepository(repo.engine).record(sender, int(sender), "Warga")
    view, _ = repo.file_ticket(
        sender, ComplaintDraft(text, "Gang Mawar", Category.INFRASTRUKTUR, privacy)
    )
    with Session(repo.engine) as s, s.begin():
        s.execute(update(Ticket).where(Ticket.public_id == view.public_id).values(status=status))
    return view.public_id


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the training data, so exports do not touch the repository's."""
    target = tmp_path / "categories"
    target.mkdir()
    source = Path(__file__).resolve().parents[2] / "data" / "categories" / "complaints.yml"
    (target / "complaints.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_only_public_worked_tickets_become_masked_candidates(
    repo: Repository, tmp_path: Path, data_dir: Path
) -> None:
    public = file(repo, STORY + " (umum)", Privacy.PUBLIC, TicketStatus.DIPROSES, 1)
    file(repo, STORY + " (anonim)", Privacy.ANONYMOUS, TicketStatus.DIPROSES, 2)
    file(repo, STORY + " (rahasia)", Privacy.CONFIDENTIAL, TicketStatus.SELESAI, 3)
    file(repo, STORY + " (baru)", Privacy.PUBLIC, TicketStatus.BARU, 4)
    file(repo, STORY + " (ditolak)", Privacy.PUBLIC, TicketStatus.DITOLAK, 5)
    found = candidates(repo.engine, tmp_path, SECRET, get_model(data_dir), data_dir)
    assert [c.text.endswith("(umum)") for c in found] == [True]
    [candidate] = found
    assert "081234567890" not in candidate.text and "[TELEPON]" in candidate.text
    assert candidate.final is Category.INFRASTRUKTUR
    assert candidate.suggested is Category.KEBERSIHAN
    assert public not in candidate.key and len(candidate.key) == 20


def test_decisions_export_once_without_duplicates_or_held_out_copies(
    repo: Repository, tmp_path: Path, data_dir: Path
) -> None:
    file(repo, OTHER_STORY + " (satu)", Privacy.PUBLIC, TicketStatus.DIPROSES, 1)
    file(repo, STORY + " (dua)", Privacy.PUBLIC, TicketStatus.SELESAI, 2)
    file(repo, "Lampu jalan di gang Melati mati sebulan, gelap sekali", Privacy.PUBLIC,
         TicketStatus.SELESAI, 3)  # fmt: skip
    held_out = tmp_path / "heldout.yml"
    held_out.write_text(
        yaml.safe_dump(
            {
                "examples": [
                    {
                        "text": STORY.replace("081234567890", "nomor saya") + " (dua)",
                        "category": "kebersihan",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    model = get_model(data_dir)
    found = candidates(repo.engine, tmp_path, SECRET, model, data_dir)
    by_text = {c.text.rsplit("(", 1)[-1]: c for c in found}
    decide(tmp_path, [by_text["satu)"].key], "relabel", "tina", Category.KEBERSIHAN)
    decide(tmp_path, [by_text["dua)"].key], "accept", "tina")
    result = export_reviewed(repo.engine, tmp_path, SECRET, data_dir, held_out)
    assert [(t.endswith("(satu)"), c) for t, c in result.added] == [(True, Category.KEBERSIHAN)]
    assert len(result.held_out) == 1
    written = read_examples(data_dir / "reviewed.yml")
    assert [e.category for e in written] == [Category.KEBERSIHAN]
    assert "081234567890" not in (data_dir / "reviewed.yml").read_text(encoding="utf-8")
    # Decided candidates leave the list; a second export adds nothing.
    assert all(c.key not in {by_text["satu)"].key, by_text["dua)"].key}
               for c in candidates(repo.engine, tmp_path, SECRET, model, data_dir))  # fmt: skip
    again = export_reviewed(repo.engine, tmp_path, SECRET, data_dir, held_out)
    assert again.added == [] and again.duplicates == 1


def test_same_text_under_another_category_is_a_conflict(
    repo: Repository, tmp_path: Path, data_dir: Path
) -> None:
    file(repo, STORY, Privacy.PUBLIC, TicketStatus.DIPROSES, 1)
    (data_dir / "reviewed.yml").write_text(
        yaml.safe_dump(
            {
                "examples": [
                    {"text": STORY.replace("081234567890", "[TELEPON]"), "category": "kebersihan"}
                ]
            }
        ),
        encoding="utf-8",
    )
    with Session(repo.engine) as s:
        [ticket_id] = s.scalars(select(Ticket.id)).all()
    # Already in the data, so not listed; a decision taken on it earlier still exports.
    assert candidates(repo.engine, tmp_path, SECRET, get_model(data_dir), data_dir) == []
    decide(tmp_path, [candidate_key(ticket_id, SECRET)], "accept", "tina")
    result = export_reviewed(repo.engine, tmp_path, SECRET, data_dir, tmp_path / "none.yml")
    assert result.added == []
    assert [(earlier, label) for _, earlier, label in result.conflicts] == [
        (Category.KEBERSIHAN, Category.INFRASTRUKTUR)
    ]
