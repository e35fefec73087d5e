"""The shipped catalogue file is complete and consistent, and loads idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.store.catalogue import (
    CANONICAL_SERVICE_IDS,
    FACT_ASPECTS,
    Catalogue,
    ServiceEntry,
    fact_content,
)
from bot.store.repository import Repository

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "services.yml"


def test_catalogue_has_the_18_services_in_order() -> None:
    catalogue = Catalogue.from_file(CATALOGUE)
    assert tuple(s.id for s in catalogue.services) == CANONICAL_SERVICE_IDS


def test_costs_cite_a_legal_basis_where_fees_are_regulated() -> None:
    services = {s.id: s for s in Catalogue.from_file(CATALOGUE).services}
    assert "79A" in (services["ktp"].cost_basis or "")
    for sid in ("sim", "skck"):
        assert "76" in (services[sid].cost_basis or ""), sid
        assert "2020" in (services[sid].cost_basis or ""), sid


def test_duplicate_alias_is_rejected() -> None:
    raw = {
        "offices": [{"id": "o", "name": "Kantor"}],
        "services": [
            {"id": "ktp", "name": "KTP", "office": "o", "aliases": ["ktp"]},
            {"id": "kk", "name": "KK", "office": "o", "aliases": ["KTP"]},
        ],
    }
    with pytest.raises(ValidationError, match="alias"):
        Catalogue.model_validate(raw)


def test_unknown_office_is_rejected() -> None:
    raw = {"offices": [], "services": [{"id": "ktp", "name": "KTP", "office": "nowhere"}]}
    with pytest.raises(ValidationError, match="unknown office"):
        Catalogue.model_validate(raw)


def test_loaded_catalogue_matches_the_file(repo: Repository) -> None:
    catalogue = Catalogue.from_file(CATALOGUE)
    stored = {s.id: s for s in repo.list_services()}
    assert set(stored) == set(CANONICAL_SERVICE_IDS)
    for entry in catalogue.services:
        view = stored[entry.id]
        assert view.name == entry.name
        assert view.cost == entry.cost
        assert list(view.requirements or []) == (entry.requirements or [])
        assert view.office_id == entry.office


def test_aliases_resolve_to_their_service(repo: Repository) -> None:
    aliases = repo.service_aliases()
    assert aliases["e-ktp"] == "ktp"
    assert aliases["imb"] == "pbg"
    assert aliases["surat kelakuan baik"] == "skck"
    assert aliases["ak1"] == "kartu_kuning"


# -- facts: every fact has a source and a date; the facts issue 11 corrected -------------------


def _services() -> dict[str, ServiceEntry]:
    return {s.id: s for s in Catalogue.from_file(CATALOGUE).services}


def test_every_fact_in_the_file_has_a_source_and_a_date() -> None:
    for service in Catalogue.from_file(CATALOGUE).services:
        values = service.model_dump()
        said = [a for a in FACT_ASPECTS if a == "location_hours" or fact_content(values, a)[0]]
        for aspect in said:
            fact = service.facts.get(aspect)
            assert fact is not None, (service.id, aspect)
            assert fact.source and len(fact.source) >= 5, (service.id, aspect)
            assert fact.checked is not None and fact.checked.year >= 2026, (service.id, aspect)


def test_regional_rules_are_marked_regional() -> None:
    services = _services()
    # Set by each region: PBB, PBG's retribusi, kelurahan letters, processing times.
    for sid in ("pbb", "sktm", "surat_domisili"):
        assert all(f.regional for f in services[sid].facts.values()), sid
    for sid in ("ktp", "kk", "kia", "akta_kelahiran", "akta_kematian", "surat_pindah"):
        assert services[sid].facts["duration"].regional, sid
        assert not services[sid].facts["cost"].regional, sid  # free by national law
    assert services["pbg"].facts["cost"].regional and services["pbg"].facts["duration"].regional
    assert services["kartu_kuning"].facts["duration"].regional
    assert not services["paspor"].facts["cost"].regional  # a national PNBP
    # How a KK is issued is set nationally (Permendagri 108/2019), as its source says.
    assert not services["kk"].facts["procedure"].regional


def test_the_paspor_facts_follow_pp_45_2024() -> None:
    paspor = _services()["paspor"]
    cost = paspor.cost or ""
    for figure in ("Rp650.000", "Rp950.000", "Rp350.000", "Rp1.000.000", "Rp500.000"):
        assert figure in cost, figure
    assert "5 tahun" in cost and "10 tahun" in cost and "hilang" in cost and "rusak" in cost
    assert "Desember 2024" in cost  # non-electronic passports no longer issued at most offices
    assert "PP No. 45 Tahun 2024" in (paspor.cost_basis or "")
    assert "48 halaman" not in cost
    assert paspor.facts["cost"].source == "PP No. 45 Tahun 2024 (berlaku 17 Desember 2024)"
    requirements = " ".join(paspor.requirements or [])
    assert "cukup dengan KTP-el dan paspor lama" in requirements
    assert "kehilangan dari kepolisian" in requirements and "wawancara" in requirements


def test_skck_needs_active_jkn_membership() -> None:
    skck = _services()["skck"]
    assert any("JKN" in r and "aktif" in r for r in skck.requirements or [])
    assert "Perpol No. 6 Tahun 2023" in (skck.facts["requirements"].source or "")


def test_pbg_for_low_income_homes() -> None:
    pbg = _services()["pbg"]
    assert "Rp0" in (pbg.cost or "") and "MBR" in (pbg.cost or "")
    assert "10 hari kerja" in (pbg.duration or "")
    assert "25 November 2024" in (pbg.facts["cost"].source or "")


def test_a_lost_kk_needs_a_police_report_not_the_old_kk() -> None:
    requirements = _services()["kk"].requirements or []
    old_kk = next(r for r in requirements if r.startswith("KK lama"))
    assert "hilang" not in old_kk
    assert any("kepolisian" in r and "hilang" in r for r in requirements)


def test_surat_pindah_is_only_for_another_kabupaten_or_kota() -> None:
    pindah = _services()["surat_pindah"]
    first = (pindah.requirements or [""])[0]
    assert "kabupaten/kota yang sama tidak memerlukan SKPWNI" in first


def test_the_stnk_fee_annulment_names_the_ruling() -> None:
    stnk = _services()["stnk"]
    assert "12 P/HUM/2017" in (stnk.cost_basis or "")
    assert "12 P/HUM/2017" in (stnk.facts["cost"].source or "")


def test_a_fact_of_an_unknown_aspect_is_rejected() -> None:
    raw = {
        "offices": [{"id": "o", "name": "Kantor"}],
        "services": [
            {"id": "ktp", "name": "KTP", "office": "o", "facts": {"warna": {"source": "x"}}}
        ],
    }
    with pytest.raises(ValidationError, match="unknown fact aspects"):
        Catalogue.model_validate(raw)


def test_stored_facts_match_the_file(repo: Repository) -> None:
    for entry in Catalogue.from_file(CATALOGUE).services:
        view = repo.get_service(entry.id)
        assert view is not None
        stored = {a: (f.source, f.checked, f.regional) for a, f in view.facts.items()}
        assert stored == {a: (f.source, f.checked, f.regional) for a, f in entry.facts.items()}
