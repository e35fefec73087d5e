"""IKM arithmetic (PermenPANRB 14/2017) against hand-computed cases and the grade
boundaries (bot/skm.py)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import skm


def test_nine_elements_in_the_regulation_order_with_four_answers_each() -> None:
    assert [e.code for e in skm.ELEMENTS] == [f"U{n}" for n in range(1, 10)]
    assert [e.label for e in skm.ELEMENTS] == [
        "Persyaratan",
        "Sistem, mekanisme dan prosedur",
        "Waktu penyelesaian",
        "Biaya/tarif",
        "Produk spesifikasi jenis pelayanan",
        "Kompetensi pelaksana",
        "Perilaku pelaksana",
        "Sarana dan prasarana",
        "Penanganan pengaduan, saran dan masukan",
    ]
    for element in skm.ELEMENTS:
        assert len(set(element.answers)) == 4 and element.question.endswith("?")


def test_hand_computed_case() -> None:
    # Five respondents. Per element sums (by hand): U1 3+4+3+3+4=17 -> NRR 3.4,
    # U2 15 -> 3.0, U3 10 -> 2.0, U4 20 -> 4.0, U5..U9 15 -> 3.0 each.
    rows = [
        [3, 3, 2, 4, 3, 3, 3, 3, 3],
        [4, 3, 2, 4, 3, 3, 3, 3, 3],
        [3, 3, 2, 4, 3, 3, 3, 3, 3],
        [3, 3, 2, 4, 3, 3, 3, 3, 3],
        [4, 3, 2, 4, 3, 3, 3, 3, 3],
    ]
    summary = skm.summarise(rows)
    assert summary.respondents == 5 and not summary.suppressed
    nrrs = [e.nrr for e in summary.elements]
    assert nrrs == [Fraction(17, 5), 3, 2, 4, 3, 3, 3, 3, 3]
    # Sum of NRR = 3.4 + 3 + 2 + 4 + 5 x 3 = 27.4; x 1/9 = 3.0444...; x 25 = 76.111...
    assert summary.ikm == Fraction(274, 10) / 9 * 25
    assert skm.published(summary.ikm) == Decimal("76.11")
    assert summary.grade == "C" and summary.mutu == "Kurang Baik"
    # The element that pulls it down: waktu penyelesaian, NRR 2.00 -> 50.00, grade D.
    assert summary.lowest is not None and summary.lowest.element.code == "U3"
    assert summary.lowest.grade == "D"
    assert summary.elements[3].grade == "A"  # 4.00 -> 100
    assert summary.elements[0].weighted == Fraction(17, 45)  # 3.4 / 9


def test_perfect_score_is_100_not_99_9() -> None:
    summary = skm.summarise([[4] * 9] * 5)
    assert summary.ikm == 100 and summary.grade == "A"
    assert skm.summarise([[1] * 9] * 5).ikm == 25


def test_skipped_answers_count_only_where_given() -> None:
    rows = [[4, None, 3, 3, 3, 3, 3, 3, 3]] * 4 + [[2, 2, 3, 3, 3, 3, 3, 3, 3]]
    summary = skm.summarise(rows)
    assert summary.respondents == 5
    assert summary.elements[0].nrr == Fraction(18, 5)
    assert summary.elements[1].answered == 1 and summary.elements[1].nrr == 2


def test_an_element_nobody_answered_leaves_no_ikm() -> None:
    summary = skm.summarise([[3, 3, 3, 3, 3, 3, 3, 3, None]] * 6)
    assert summary.elements[8].nrr is None and summary.ikm is None and summary.grade is None


def test_fewer_than_five_respondents_only_the_count() -> None:
    summary = skm.summarise([[4] * 9] * 4 + [[None] * 9] * 3)
    assert summary.respondents == 4 and summary.suppressed
    assert summary.elements == () and summary.ikm is None


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        ("100", "A"),
        ("88.31", "A"),
        ("88.305", "A"),  # published as 88.31
        ("88.30", "B"),
        ("88.304", "B"),
        ("76.61", "B"),
        ("76.605", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.995", "C"),  # published as 65.00
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_grade_boundaries(value: str, letter: str) -> None:
    assert skm.grade(Decimal(value)) == letter


def test_grade_refuses_values_off_the_scale() -> None:
    for value in ("24.99", "100.01"):
        with pytest.raises(ValueError):
            skm.grade(Decimal(value))


def test_a_boundary_reached_exactly_with_ninths() -> None:
    # Sum of NRR 31.79: exactly 31.79 / 9 x 25 = 88.3055..., published 88.31: A. With the
    # rounded weight 0.111 it would be 88.22: B.
    assert skm.grade(Fraction(3179, 100) / 9 * 25) == "A"
    assert skm.published(Fraction(3179, 100) / 9 * 25) == Decimal("88.31")


def test_scores_outside_1_to_4_are_refused() -> None:
    with pytest.raises(ValueError):
        skm.nrr([0, 3])
    with pytest.raises(ValueError):
        skm.ikm([Fraction(3)] * 8)


answers = st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=9, max_size=9)


@given(st.lists(answers, min_size=5, max_size=40))
def test_ikm_is_the_mean_nrr_times_25_and_graded_consistently(rows: list[list[int | None]]) -> None:
    summary = skm.summarise(rows)
    if summary.suppressed:
        return
    if any(e.nrr is None for e in summary.elements):
        assert summary.ikm is None
        return
    mean = sum((e.nrr for e in summary.elements if e.nrr is not None), Fraction(0)) / 9
    assert summary.ikm == mean * 25
    assert 25 <= summary.ikm <= 100
    assert summary.grade in {"A", "B", "C", "D"}
    # The grade is monotone in the IKM: every A is above every B, ...
    order = "DCBA"
    lowest = {"A": Decimal("88.31"), "B": Decimal("76.61"), "C": Decimal("65.00"), "D": 25}
    assert skm.published(summary.ikm) >= lowest[summary.grade]
    if summary.grade != "A":
        above = order[order.index(summary.grade) + 1]
        assert skm.published(summary.ikm) < lowest[above]


@given(st.lists(st.integers(1, 4), min_size=1, max_size=50))
def test_nrr_is_the_plain_mean(scores: list[int]) -> None:
    value = skm.nrr(scores)
    assert value == Fraction(sum(scores), len(scores))
    assert 1 <= value <= 4


def test_decimal_text_uses_a_comma() -> None:
    assert skm.decimal_text(Fraction(274, 10) / 9 * 25, 2) == "76,11"
    assert skm.decimal_text(Fraction(17, 45), 4) == "0,3778"
