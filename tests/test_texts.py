"""bot/texts.yml and its loader: every key the code names exists, every key is used, every
template renders, the command list and the main menu each have one source, one date format."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import UndefinedError
from telegram.ext import ApplicationBuilder, CommandHandler

from actions.fallback import main_menu
from bot import texts
from bot.store.models import Category, Privacy, TicketStatus
from bot.telegram import handlers

ROOT = Path(__file__).resolve().parent.parent
FILE = yaml.safe_load((ROOT / "bot" / "texts.yml").read_text(encoding="utf-8"))
CODE = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")])

# One set of sample values per message: each must render with exactly these.
SAMPLES: dict[str, dict[str, Any]] = {
    "welcome": {"name": "Siti"},
    "privacy_notice": {},
    "consent_yes_button": {},
    "consent_no_button": {},
    "consent_thanks": {},
    "opener_invite": {},
    "consent_declined": {},
    "consent_needed": {},
    "consent_reminder": {},
    "consent_already_given": {},
    "privacy_full": {},
    "delete_confirm": {},
    "delete_yes_button": {},
    "delete_no_button": {},
    "deleted": {"kept": 2},
    "delete_cancelled": {},
    "queued_notice": {},
    "throttled": {},
    "unknown_command": {"command": "/foo"},
    "photo_saved": {},
    "document_saved": {},
    "location_saved": {},
    "location_text": {"lat": -6.2, "lon": 106.8},
    "attachment_outside_form": {},
    "attachment_too_big": {"limit_mb": 10},
    "document_type_refused": {},
    "attachment_failed": {},
    "sticker": {},
    "voice": {},
    "contact": {},
    "unsupported": {},
    "edited": {},
    "group_only_private": {"username": "layanan_bot"},
    "answer_usage": {},
    "answer_not_found": {"public_id": "ADU-7K3M9P"},
    "answer_received": {"public_id": "ADU-7K3M9P"},
    "answer_noted": {"public_id": "ADU-7K3M9P"},
    "answer_taken": {"public_id": "ADU-7K3M9P", "resumed": True},
    "thanks_rating_offer": {"ticket_id": "ADU-7K3M9P"},
    "feedback_comment_added_to_remark": {},
    "ticket_status_details": {
        "ticket_id": "ADU-7K3M9P",
        "category": "Infrastruktur",
        "status": "Selesai",
        "created": "Senin, 30 November 2026",
        "closed": "Selasa, 1 Desember 2026",
        "rejected": False,
        "waiting": False,
        "step": 4,
        "resolution": "Jalan sudah ditambal.",
        "due": None,
    },
    "button_used": {},
    "button_chosen": {"title": "Buat pengaduan"},
    "empty_reply": {},
    "command_menu": {"description": "Cek status tiket", "example": "/status ADU-7K3M9P"},
    "ticket_verified": {"public_id": "ADU-7K3M9P", "unit": "Disdukcapil", "followup_due": "x"},
    "ticket_followup_plan": {"public_id": "ADU-7K3M9P", "plan": "Cek lokasi.", "resolve_due": "x"},
    "ticket_info_request": {"public_id": "ADU-7K3M9P", "question": "Di mana?", "reply_due": "x"},
    "ticket_reply": {"public_id": "ADU-7K3M9P", "text": "Sudah kami cek.", "asks": False},
    "ticket_resolved": {"public_id": "ADU-7K3M9P", "resolution": "Sudah ditambal."},
    "ticket_rejected": {"public_id": "ADU-7K3M9P", "reason": "Lainnya", "duplicate_of": None},
    "ticket_reopened": {"public_id": "ADU-7K3M9P"},
    "ticket_auto_closed": {"public_id": "ADU-7K3M9P", "days": 10},
    "fact_source": {"source": "PP No. 45 Tahun 2024", "checked": "20 Nov 2026"},
    "fact_regional": {"office": "Bapenda Kota Contoh", "value": "Sesuai SPPT", "multiline": False},
    "live_taken": {"unit": "Disdukcapil Kota Contoh"},
    "live_officer_message": {"unit": None, "text": "Selamat pagi"},
    "live_handed_back": {},
    "live_ended_by_officer": {},
    "live_to_ticket": {"public_id": "ADU-7K3M9P"},
    "live_ended_by_citizen": {},
    "live_no_chat": {},
    "live_timed_out": {},
    "live_file_noted": {},
    "live_command_during_chat": {},
    "live_complaint_button": {},
    "live_callback_button": {},
    "summary_attachments": {"unknown": False, "photos": 2, "documents": 0, "pin": True},
    "privacy_answer_anonymous": {"ticket_id": "ADU-7K3M9P"},
    "privacy_answer_confidential": {"ticket_id": "ADU-7K3M9P"},
    "privacy_answer_public": {"ticket_id": "ADU-7K3M9P"},
    "privacy_answer_general": {},
    "unit_notice": {
        "public_id": "ADU-7K3M9P",
        "unit": "Dinas PU",
        "category": "Infrastruktur",
        "verify_due": "Rabu, 2 Desember 2026",
        "confidential": False,
        "snippet": "Jalan rusak",
        "link": "http://127.0.0.1:8080/tiket/ADU-7K3M9P",
    },
    "rating_changed": {"ticket_id": "ADU-7K3M9P", "old": 5, "new": 1},
}


def _loader_calls(tree: ast.Module, path: Path) -> list[ast.Call]:
    """Calls of bot.texts.text (however the module imported it) in one module."""
    names = {"text", "_ticket_text"} if path == ROOT / "bot" / "texts.py" else set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.texts":
            names |= {a.asname or a.name for a in node.names if a.name == "text"}
        elif isinstance(node, ast.ImportFrom) and node.module == "bot":
            modules |= {a.asname or a.name for a in node.names if a.name == "texts"}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id in names) or (
            isinstance(func, ast.Attribute)
            and func.attr == "text"
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        ):
            calls.append(node)
    return calls


def _message_keys_in_code() -> tuple[set[str], list[re.Pattern[str]]]:
    """Keys passed to bot.texts.text as literals, and f-strings as patterns."""
    literal: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for path in CODE:
        for node in _loader_calls(ast.parse(path.read_text(encoding="utf-8")), path):
            joined = [n for n in ast.walk(node.args[0]) if isinstance(n, ast.JoinedStr)]
            inside = {id(v) for j in joined for v in j.values}
            for j in joined:
                regex = "".join(
                    re.escape(v.value) if isinstance(v, ast.Constant) else r"\w+" for v in j.values
                )
                patterns.append(re.compile(regex))
            for part in ast.walk(node.args[0]):
                is_text = isinstance(part, ast.Constant) and isinstance(part.value, str)
                if is_text and id(part) not in inside:
                    literal.add(part.value)
    return literal, patterns


def _label_groups_in_code() -> set[str]:
    found: set[str] = set()
    for path in CODE:
        found |= set(re.findall(r'labels\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_message_key_in_code_exists_and_every_message_is_used() -> None:
    literal, patterns = _message_keys_in_code()
    keys = set(FILE["messages"])
    assert literal, "the scan found no text() calls"
    assert literal - keys == set(), "keys the code names but texts.yml lacks"
    for pattern in patterns:
        assert any(pattern.fullmatch(k) for k in keys), f"no key matches {pattern.pattern}"
    unused = {k for k in keys if k not in literal and not any(p.fullmatch(k) for p in patterns)}
    assert unused == set(), "messages in texts.yml that no code uses"


def test_every_label_group_is_read_and_every_button_is_used() -> None:
    assert _label_groups_in_code() == set(FILE["labels"])
    source = (ROOT / "bot" / "texts.py").read_text(encoding="utf-8")
    assert set(re.findall(r'_BUTTONS\["(\w+)"\]', source)) == set(FILE["labels"]["button"])


@pytest.mark.parametrize(
    ("group", "kind"),
    [
        ("category", Category),
        ("category_short", Category),
        ("privacy", Privacy),
        ("privacy_short", Privacy),
        ("status", TicketStatus),
    ],
)
def test_labels_name_every_code(group: str, kind: type) -> None:
    assert set(FILE["labels"][group]) == {member.value for member in kind}


def test_every_template_renders_with_its_sample_values() -> None:
    assert set(SAMPLES) == set(FILE["messages"])
    for key, values in SAMPLES.items():
        rendered = texts.text(key, **values)
        assert rendered.strip(), key
        assert "{{" not in rendered and "{%" not in rendered, key
        for value in values.values():
            if isinstance(value, str):
                assert value in rendered, (key, value)


def test_a_missing_value_is_an_error() -> None:
    with pytest.raises(UndefinedError):
        texts.text("answer_not_found")
    with pytest.raises(KeyError):
        texts.text("no_such_text")


def test_officer_action_texts_fill_the_dates() -> None:
    assert texts.verified("ADU-7K3M9P", "Disdukcapil", date(2026, 12, 2)) == (
        "Laporan ADU-7K3M9P telah diverifikasi dan diteruskan ke Disdukcapil. "
        "Rencana tindak lanjut akan disampaikan paling lambat Rabu, 2 Desember 2026."
    )
    assert texts.rejected("ADU-7K3M9P", "Lainnya", None) == (
        "Mohon maaf, laporan ADU-7K3M9P tidak dapat ditindaklanjuti.\n\nAlasan: Lainnya"
    )


# -- commands ---------------------------------------------------------------------------------


def test_the_command_menu_comes_from_the_table() -> None:
    assert texts.COMMANDS == (
        ("start", "Mulai dan menu utama"),
        ("bantuan", "Cara memakai layanan ini"),
        ("lapor", "Buat pengaduan"),
        ("status", "Cek status tiket, contoh: /status ADU-7K3M9P"),
        ("batal", "Batalkan pengisian pengaduan"),
        ("selesai", "Akhiri obrolan dengan petugas"),
        ("jawab", "Jawab permintaan keterangan petugas: /jawab ADU-XXXXXX keterangan"),
        ("survei", "Isi atau lanjutkan Survei Kepuasan Masyarakat"),
        ("privasi", "Kebijakan privasi"),
        ("hapusdata", "Hapus data pribadi Anda"),
    )
    assert handlers.COMMANDS is texts.COMMANDS


def test_the_list_of_commands_comes_from_the_same_table() -> None:
    assert texts.text("unknown_command", command="/foo") == (
        "Perintah /foo tidak dikenal. Perintah yang tersedia:\n"
        "/start – mulai dan menu utama\n"
        "/bantuan – cara memakai layanan ini\n"
        "/lapor – buat pengaduan\n"
        "/status – cek status tiket (contoh: /status ADU-7K3M9P)\n"
        "/batal – batalkan pengisian pengaduan\n"
        "/selesai – akhiri obrolan dengan petugas\n"
        "/jawab – jawab permintaan keterangan petugas (contoh: /jawab ADU-7K3M9P keterangan Anda)\n"
        "/survei – isi atau lanjutkan Survei Kepuasan Masyarakat\n"
        "/privasi – kebijakan privasi\n"
        "/hapusdata – hapus data pribadi Anda"
    )


def test_every_listed_command_has_a_handler_and_every_handler_is_listed() -> None:
    application = ApplicationBuilder().token("123:test").updater(None).build()
    handlers.register(application)
    handled = {
        command
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    listed = {c.command for c in texts.commands()}
    aliases = {alias for c in texts.commands() for alias in c.aliases}
    assert handled == listed | aliases
    assert "help" in aliases  # /help, typed out of habit, is /bantuan


# -- main menu --------------------------------------------------------------------------------


def test_the_main_menu_is_defined_once_in_the_domain() -> None:
    raw = (ROOT / "domain.yml").read_text(encoding="utf-8")
    assert raw.count('payload: "/give_feedback"') == 1, "the menu is written out again"
    domain = yaml.safe_load(raw)
    greet = domain["responses"]["utter_greet"][0]["buttons"]
    assert [b["title"] for b in greet] == [
        "Tanya layanan",
        "Buat pengaduan",
        "Cek status tiket",
        "Beri penilaian",
    ]
    assert domain["responses"]["utter_help"][0]["buttons"] == greet
    assert main_menu(domain) == greet


# -- dates ------------------------------------------------------------------------------------


def test_format_date() -> None:
    day = date(2026, 8, 17)
    assert texts.format_date(day) == "17 Agustus 2026"
    assert texts.format_date(day, weekday=True) == "Senin, 17 Agustus 2026"
    assert texts.format_date(day, weekday=True, short=True) == "Sen, 17 Agu 2026"
    assert texts.format_date(datetime(2026, 11, 28, 14, 5), short=True, time=True) == (
        "28 Nov 2026 14:05"
    )
    assert texts.format_date(datetime(2026, 5, 3, 23, 59), weekday=True) == "Minggu, 3 Mei 2026"


def test_format_month() -> None:
    assert texts.format_month(2026, 8) == "Agustus 2026"
    assert texts.format_month(2026, 12, short=True) == "Des 2026"
    assert texts.format_month(2027, 5, short=True) == "Mei 2027"


def test_format_duration() -> None:
    """One duration formatter: the two largest units, Indonesian names, whole numbers."""
    assert texts.format_duration(10 * 3600 + 49 * 60 + 20) == "10 jam 49 mnt"
    assert texts.format_duration(649 * 60) == "10 jam 49 mnt"
    assert texts.format_duration(125) == "2 mnt 5 dtk"
    assert texts.format_duration(45.4) == "45 dtk"
    assert texts.format_duration(180.0) == "3 mnt"
    assert texts.format_duration(3600) == "1 jam"
    assert texts.format_duration(2 * 86400 + 3 * 3600 + 59) == "2 hari 3 jam"
    assert texts.format_duration(0) == "0 dtk"
    assert texts.format_duration(None) == "-"
    assert texts.format_duration(180.0, long=True) == "3 menit"
    assert texts.format_duration(150, long=True) == "2 menit 30 detik"


def test_one_date_formatter() -> None:
    """Month names live in texts.yml only; no module formats dates with strftime."""
    for path in CODE:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"[\"']Agustus[\"']|[\"']Des[\"']|strftime|%[bBaA]", source), path
    assert len(FILE["dates"]["months"]) == 12 and len(FILE["dates"]["weekdays"]) == 7
