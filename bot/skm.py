"""Survei Kepuasan Masyarakat (PermenPANRB No. 14 Tahun 2017): the nine elements, their
questions and answer labels (the one home of these texts), and the IKM arithmetic.

Per element, NRR = sum of the scores (1-4) / number of respondents who answered it. IKM =
(sum over the nine elements of NRR x 1/9) x 25, on a 25-100 scale. Weights are exactly 1/9
(`fractions.Fraction`, no float): many spreadsheets use 0.111, which caps a perfect score
at 99.9. A figure is graded after rounding to two decimals, half up, as published
(the regulation's intervals, A 88.31-100, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99,
leave gaps of 0.01 that only a rounded figure closes); an element is graded the same way
on its NRR x 25.

The console's reports and the public page read the stored answers through
`ikm_by_unit_and_service` and `monthly_trend`: anonymous aggregates, and with fewer than
`MIN_RESPONDENTS` respondents only the count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.store.models import Office, Service, SkmResponse

SCALE = (1, 2, 3, 4)
WEIGHT = Fraction(1, 9)
# Below this many respondents a group shows its count only (no NRR, no IKM).
MIN_RESPONDENTS = 5
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Element:
    """One element (unsur) of the survey: its code, name, question and answers 1-4."""

    code: str  # U1..U9
    label: str
    question: str
    answers: tuple[str, str, str, str]  # the labels of scores 1, 2, 3, 4


# The elements and the sample questionnaire of PermenPANRB 14/2017 (Lampiran), in order.
ELEMENTS: tuple[Element, ...] = (
    Element(
        "U1",
        "Persyaratan",
        "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "U2",
        "Sistem, mekanisme dan prosedur",
        "Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        "U3",
        "Waktu penyelesaian",
        "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        "U4",
        "Biaya/tarif",
        "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        "U5",
        "Produk spesifikasi jenis pelayanan",
        "Bagaimana pendapat Anda tentang kesesuaian hasil pelayanan dengan yang tercantum "
        "dalam standar pelayanan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "U6",
        "Kompetensi pelaksana",
        "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        "U7",
        "Perilaku pelaksana",
        "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan "
        "dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Element(
        "U8",
        "Sarana dan prasarana",
        "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana pelayanan?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
    Element(
        "U9",
        "Penanganan pengaduan, saran dan masukan",
        "Bagaimana pendapat Anda tentang penanganan pengaduan, saran dan masukan pengguna "
        "layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
)  # fmt: skip
ELEMENT_COUNT = len(ELEMENTS)

# (grade, lowest IKM of the grade as published, mutu pelayanan), best first.
GRADES: tuple[tuple[str, Decimal, str], ...] = (
    ("A", Decimal("88.31"), "Sangat Baik"),
    ("B", Decimal("76.61"), "Baik"),
    ("C", Decimal("65.00"), "Kurang Baik"),
    ("D", Decimal("25.00"), "Tidak Baik"),
)
MUTU = {grade: label for grade, _, label in GRADES}


def nrr(scores: Iterable[int]) -> Fraction | None:
    """Nilai rata-rata of one element: sum / count of the answers given (None: none)."""
    values = list(scores)
    for value in values:
        if value not in SCALE:
            raise ValueError(f"an SKM score is 1-4, not {value!r}")
    return Fraction(sum(values), len(values)) if values else None


def weighted(value: Fraction) -> Fraction:
    """NRR tertimbang: an element's NRR x 1/9."""
    return value * WEIGHT


def ikm(nrrs: Sequence[Fraction | None]) -> Fraction | None:
    """IKM from the nine NRR: (sum of NRR x 1/9) x 25. None when an element has no answer
    (the equal weights need all nine)."""
    if len(nrrs) != ELEMENT_COUNT:
        raise ValueError(f"IKM needs {ELEMENT_COUNT} elements, got {len(nrrs)}")
    present = [value for value in nrrs if value is not None]
    if len(present) != ELEMENT_COUNT:
        return None
    return sum((weighted(value) for value in present), Fraction(0)) * 25


def converted(value: Fraction) -> Fraction:
    """One element's NRR on the IKM scale (x 25)."""
    return value * 25


def published(value: Fraction | Decimal) -> Decimal:
    """An IKM (or an element's NRR x 25) as published: two decimals, half up."""
    exact = (
        value
        if isinstance(value, Decimal)
        else Decimal(value.numerator) / Decimal(value.denominator)
    )
    return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def grade(value: Fraction | Decimal) -> str:
    """A, B, C or D for an IKM on the 25-100 scale (graded after rounding, see above)."""
    rounded = published(value)
    if not Decimal(25) <= rounded <= Decimal(100):
        raise ValueError(f"an IKM lies between 25 and 100, not {rounded}")
    for letter, lowest, _ in GRADES:
        if rounded >= lowest:
            return letter
    raise AssertionError("unreachable: D starts at 25")


def decimal_text(value: Fraction | Decimal, places: int) -> str:
    """`value` with `places` decimals, half up, with a decimal comma (Indonesian)."""
    exact = (
        value
        if isinstance(value, Decimal)
        else Decimal(value.numerator) / Decimal(value.denominator)
    )
    quantum = Decimal(1).scaleb(-places)
    return f"{exact.quantize(quantum, rounding=ROUND_HALF_UP):.{places}f}".replace(".", ",")


# -- aggregates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementScore:
    """One element of a group: how many answered it, its NRR and what follows from it."""

    element: Element
    answered: int
    nrr: Fraction | None

    @property
    def weighted(self) -> Fraction | None:
        return weighted(self.nrr) if self.nrr is not None else None

    @property
    def converted(self) -> Fraction | None:
        return converted(self.nrr) if self.nrr is not None else None

    @property
    def grade(self) -> str | None:
        return grade(converted(self.nrr)) if self.nrr is not None else None


@dataclass(frozen=True)
class Summary:
    """The SKM of one group of responses (a unit, a service, a month, ...).

    `respondents` counts responses with at least one answer. With fewer than
    MIN_RESPONDENTS the group is `suppressed`: its elements and IKM are not computed, so no
    view can show them."""

    respondents: int
    elements: tuple[ElementScore, ...]
    ikm: Fraction | None
    suppressed: bool

    @property
    def grade(self) -> str | None:
        return grade(self.ikm) if self.ikm is not None else None

    @property
    def mutu(self) -> str | None:
        letter = self.grade
        return MUTU[letter] if letter else None

    @property
    def ikm_text(self) -> str:
        return decimal_text(self.ikm, 2) if self.ikm is not None else "-"

    @property
    def lowest(self) -> ElementScore | None:
        """The element that pulls the IKM down most (lowest NRR)."""
        scored = [e for e in self.elements if e.nrr is not None]
        return min(scored, key=lambda e: e.nrr or 0) if scored else None


Answers = Sequence[int | None]


def summarise(responses: Iterable[Answers], minimum: int = MIN_RESPONDENTS) -> Summary:
    """The SKM of `responses` (nine answers each, None for a skipped element)."""
    answered: list[list[int]] = [[] for _ in ELEMENTS]
    respondents = 0
    for answers in responses:
        if len(answers) != ELEMENT_COUNT:
            raise ValueError(f"a response has {ELEMENT_COUNT} answers, got {len(answers)}")
        given = False
        for index, value in enumerate(answers):
            if value is not None:
                answered[index].append(value)
                given = True
        respondents += given
    if respondents < minimum:
        return Summary(respondents, (), None, suppressed=True)
    scores = tuple(
        ElementScore(element, len(values), nrr(values))
        for element, values in zip(ELEMENTS, answered, strict=True)
    )
    return Summary(respondents, scores, ikm([s.nrr for s in scores]), suppressed=False)


# -- reading the stored answers --------------------------------------------------------------


def answers_of(response: SkmResponse) -> tuple[int | None, ...]:
    """The nine answers of a stored response."""
    return tuple(getattr(response, f"u{n}") for n in range(1, ELEMENT_COUNT + 1))


ANSWER_COLUMNS = tuple(getattr(SkmResponse, f"u{n}") for n in range(1, ELEMENT_COUNT + 1))


def _answered_rows(first: str, last: str) -> Select[tuple[object, ...]]:
    """Stored answers of responses with at least one answer in months first..last
    (YYYY-MM), with their unit, service and month: never a respondent key or comment."""
    return (
        select(SkmResponse.office_id, SkmResponse.service_id, SkmResponse.period, *ANSWER_COLUMNS)
        .where(SkmResponse.period >= first, SkmResponse.period <= last)
        .where(SkmResponse.status.in_(("open", "paused", "done")))
    )


@dataclass(frozen=True)
class IkmRow:
    """One line of the IKM table: a unit (service None: the whole unit) or one service."""

    unit_id: str | None
    unit_name: str
    service_id: str | None
    service_name: str | None
    summary: Summary


def _rows(
    session: Session, first: str, last: str
) -> list[tuple[str | None, str | None, str, Answers]]:
    out: list[tuple[str | None, str | None, str, Answers]] = []
    for row in session.execute(_answered_rows(first, last)):
        answers = tuple(row[3:])
        if any(value is not None for value in answers):
            out.append((row[0], row[1], row[2], answers))
    return out


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def ikm_by_unit_and_service(
    session: Session, first_month: str, last_month: str | None = None
) -> tuple[Summary, list[IkmRow]]:
    """The IKM of months first_month..last_month (YYYY-MM, inclusive; one month when
    last_month is None): overall, and per unit followed by that unit's services, units and
    services by name. Anonymous aggregates only; small groups suppressed (Summary)."""
    last = last_month or first_month
    rows = _rows(session, first_month, last)
    units = dict(session.execute(select(Office.id, Office.name)).tuples().all())
    services = dict(session.execute(select(Service.id, Service.name)).tuples().all())
    by_unit: dict[str | None, list[Answers]] = {}
    by_service: dict[tuple[str | None, str], list[Answers]] = {}
    for unit, service, _, answers in rows:
        by_unit.setdefault(unit, []).append(answers)
        if service is not None:
            by_service.setdefault((unit, service), []).append(answers)
    table: list[IkmRow] = []

    def unit_name(unit: str | None) -> str:
        return units.get(unit, unit) if unit else "Tanpa unit"

    for unit in sorted(by_unit, key=lambda u: unit_name(u)):
        table.append(IkmRow(unit, unit_name(unit), None, None, summarise(by_unit[unit])))
        for (owner, service), group in sorted(
            by_service.items(), key=lambda item: services.get(item[0][1], item[0][1])
        ):
            if owner == unit:
                name = services.get(service, service)
                table.append(IkmRow(unit, unit_name(unit), service, name, summarise(group)))
    return summarise(answers for _, _, _, answers in rows), table


def summary_for(
    session: Session,
    first_month: str,
    last_month: str,
    unit_id: str | None = None,
    service_id: str | None = None,
) -> Summary:
    """The SKM of months first..last, of one unit and/or service (None: all)."""
    return summarise(
        answers
        for unit, service, _, answers in _rows(session, first_month, last_month)
        if (unit_id is None or unit == unit_id) and (service_id is None or service == service_id)
    )


def monthly_trend(
    session: Session,
    first_month: str,
    last_month: str,
    unit_id: str | None = None,
    service_id: str | None = None,
) -> list[tuple[str, Summary]]:
    """(month, SKM of that month) for every month first..last, empty months included."""
    rows = _rows(session, first_month, last_month)
    per_month: dict[str, list[Answers]] = {}
    for unit, service, period, answers in rows:
        if (unit_id is None or unit == unit_id) and (service_id is None or service == service_id):
            per_month.setdefault(period, []).append(answers)
    return [
        (month, summarise(per_month.get(month, []))) for month in months(first_month, last_month)
    ]


def months(first: str, last: str) -> list[str]:
    """Every month from first to last (YYYY-MM), inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out
