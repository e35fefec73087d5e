"""The unit a complaint is filed to when the citizen chose no service (E8): the office the
story or the place names, else the one office that owns the category, else the general
complaint unit (no office). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.service_match import complaint_office
from bot.store.models import Category, Privacy, Ticket
from bot.store.repository import ComplaintDraft, Repository


def office_of(
    repo: Repository,
    description: str,
    location: str | None,
    category: Category,
    service_id: str | None = None,
) -> str | None:
    draft = ComplaintDraft(description, location, category, Privacy.PUBLIC, service_id=service_id)
    ticket, _ = repo.file_ticket("citizen-unit", draft)
    with Session(repo.engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket.public_id))
        assert row is not None
        return row.office_id


@pytest.mark.parametrize(
    ("description", "location", "category", "office"),
    [
        # The tester's complaint: Disdukcapil named in the story and the place.
        (
            "petugas di loket 3 disdukcapil judes bgt, sy dibentak2 pas nanya syarat",
            "di kantor disdukcapil jl merdeka no 10",
            Category.ADMINDUK,
            "disdukcapil",
        ),
        # Named only in the place.
        (
            "petugasnya judes bgt, sy dibentak2 pas nanya syarat",
            "kantor dukcapil jl merdeka",
            Category.LAINNYA,
            "disdukcapil",
        ),
        # Named only in the story, another office.
        (
            "ada calo di satpas minta 500rb biar sim cepet jadi",
            "parkiran",
            Category.PUNGLI,
            "satpas",
        ),
        (
            "bikin sim a lelet bgt, udh 2 minggu blm jadi, petugasnya cuek",
            "di satpas polres, jl bhayangkara",
            Category.PERIZINAN,
            "satpas",
        ),
        # No office named: the category's one owner.
        (
            "ngurus akta kelahiran anak udh 3 minggu blm jadi, ditanya katanya sistem error",
            "jl merdeka",
            Category.ADMINDUK,
            "disdukcapil",
        ),
        # No office named: the category's owner (F13, black-box round e: a clinic, a school
        # or a road complaint had no unit, and no unit existed to forward it to).
        (
            "jalan di gg. mawar bolong2 gede bgt, udh banyak yg jatoh",
            "gg. mawar rt 03 rw 05 kelurahan sukamaju",
            Category.INFRASTRUKTUR,
            "dpupr",
        ),
        (
            "ibu sy sesak nafas malah disuruh nunggu 3 jam, dokternya gak ada",
            "puskesmas cibeber",
            Category.KESEHATAN,
            "dinkes",
        ),
        (
            "sekolah narik uang gedung 2 juta padahal katanya gratis",
            "sdn 3 sukamaju jl melati no 5",
            Category.PENDIDIKAN,
            "disdik",
        ),
        (
            "pkl nutup trotoar sampe pejalan kaki turun ke jalan",
            "jl pemuda depan pasar",
            Category.KETERTIBAN,
            "satpolpp",
        ),
        (
            "angkot ngetem sembarangan bikin macet tiap pagi",
            "perempatan jl sudirman",
            Category.TRANSPORTASI,
            "dishub",
        ),
        # An office that is only a landmark of a place complaint.
        (
            "lampu jalan mati semua udh seminggu, gelap bgt",
            "jl bhayangkara depan kantor samsat",
            Category.INFRASTRUKTUR,
            "dpupr",
        ),
        (
            "sampah numpuk di depan kantor kelurahan udh 2 minggu ga diangkut",
            "kantor kelurahan sukamaju",
            Category.KEBERSIHAN,
            "dlh",
        ),
        # No office named, no single owner: the general complaint unit.
        (
            "pengumuman di papan informasi sudah usang dan membingungkan",
            None,
            Category.LAINNYA,
            None,
        ),
    ],
)
def test_unit_without_a_chosen_service(
    repo: Repository,
    description: str,
    location: str | None,
    category: Category,
    office: str | None,
) -> None:
    assert office_of(repo, description, location, category) == office


def test_a_chosen_service_decides_the_unit(repo: Repository) -> None:
    # The service's office, though the story names another.
    text = "di disdukcapil disuruh ke satpas dulu, sim sy ga jadi2"
    assert office_of(repo, text, "satpas", Category.TRANSPORTASI, "sim") == "satpas"


def test_the_office_must_exist() -> None:
    # Only offices the catalogue holds (the repository checks it; here the reading).
    assert complaint_office("petugas imigrasi judes", None, Category.LAINNYA) == "imigrasi"
    assert complaint_office("", None, Category.KESEHATAN) == "dinkes"
    assert complaint_office("", None, Category.LAINNYA) is None
