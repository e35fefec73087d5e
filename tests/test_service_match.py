"""bot.service_match: which service a text names, ours (catalogue aliases) or one handled
elsewhere (data/referrals.yml); both matched as whole words, with or without -nya."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service_match import (
    REFERRALS_PATH,
    find_all_exact,
    find_referral,
    load_referrals,
    move_route,
    near_miss_scores,
)
from bot.store.catalogue import Catalogue

ALIASES = {
    "ktp": "ktp",
    "e-ktp": "ktp",
    "sim": "sim",
    "sim c": "sim_c",
    "akta kematian": "akta_kematian",
    "paspor": "paspor",
}


def test_services_are_found_in_the_order_they_are_named() -> None:
    found = find_all_exact("syarat paspor sama KTPnya apa", ALIASES)
    assert found == [("paspor", "paspor"), ("ktp", "ktp")]


def test_a_longer_alias_wins_over_the_shorter_one_inside_it() -> None:
    assert find_all_exact("perpanjang sim c di mana", ALIASES) == [("sim_c", "sim c")]


def test_a_service_named_twice_is_found_once() -> None:
    assert find_all_exact("ktp hilang, e-ktp rusak", ALIASES) == [("ktp", "ktp")]


@pytest.mark.parametrize("text", ["simak baik-baik", "ktp-el", "aktakematian", "simpan"])
def test_an_alias_inside_another_word_is_not_a_service(text: str) -> None:
    assert find_all_exact(text, ALIASES) == []


def test_near_misses_ignore_short_words_and_score_misspellings() -> None:
    assert near_miss_scores("kita simak", ALIASES) == {}
    scores = near_miss_scores("paspot saya hilang", ALIASES)
    assert set(scores) == {"paspor"} and scores["paspor"] >= 82


def test_the_referral_file_is_valid_with_unique_ids() -> None:
    referrals = load_referrals()
    ids = [r.id for r in referrals]
    assert referrals and len(ids) == len(set(ids))
    assert all(alias == alias.lower() for r in referrals for alias in r.aliases)


def test_the_longest_referral_alias_wins() -> None:
    found = find_referral("cara klaim jht bpjs ketenagakerjaan")
    assert found is not None
    assert (found.referral.id, found.alias) == ("bpjs_ketenagakerjaan", "bpjs ketenagakerjaan")


@pytest.mark.parametrize("text", ["visanya sudah habis", "VISA ke mana"])
def test_a_referral_alias_is_found_as_a_whole_word(text: str) -> None:
    found = find_referral(text)
    assert found is not None and found.referral.id == "visa"


@pytest.mark.parametrize("text", ["pencerai", "televisa", "visa-on-arrival"])
def test_a_referral_alias_inside_another_word_is_not_found(text: str) -> None:
    assert find_referral(text) is None


def test_referrals_can_be_read_from_another_file(tmp_path: Path) -> None:
    path = tmp_path / "referrals.yml"
    path.write_text(
        REFERRALS_PATH.read_text(encoding="utf-8").replace("izin keramaian", "izin rame"),
        encoding="utf-8",
    )
    assert find_referral("izin rame buat hajatan", path) is not None
    assert find_referral("izin rame buat hajatan") is None


@pytest.mark.parametrize(
    ("text", "alias", "route"),
    [
        ("mau pindah alamat masih dalam satu kota", "pindah alamat", "within"),
        ("surat pindah antar kecamatan", "surat pindah", "within"),
        ("pindah beda kelurahan, kabupaten yang sama", "pindah alamat", "within"),
        ("prosedur pindah alamat ke luar kota", "pindah alamat", "skpwni"),
        ("pindah domisili antarprovinsi", "pindah alamat", "skpwni"),
        ("pindah ke kabupaten lain", "pindah alamat", "skpwni"),
        ("syarat surat pindah", "surat pindah", "skpwni"),
        ("syarat pindah alamat", "pindah alamat", "ask"),
        ("pindah alamat dari Bekasi ke Bogor", "pindah alamat", "ask"),
    ],
)
def test_a_move_goes_to_the_skpwni_only_between_kabupaten_or_kota(
    text: str, alias: str, route: str
) -> None:
    assert move_route(text, alias) == route


def test_everyday_names_of_the_land_tax_name_pbb() -> None:
    """Second black-box round, N14: "pajak bumi sawah kulo" is the PBB in everyday words."""
    catalogue = Catalogue.from_file(Path(__file__).parent.parent / "data" / "services.yml")
    aliases = {a: s.id for s in catalogue.services for a in s.aliases}
    for text in (
        "pajak bumi sawah kulo telat setahun, bayare teng pundi nggih?",
        "bayar pajak tanah di mana ya min",
    ):
        assert [sid for sid, _ in find_all_exact(text, aliases)] == ["pbb"], text
