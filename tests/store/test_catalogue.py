"""The shipped catalogue file is complete and consistent, and loads idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.store.catalogue import CANONICAL_SERVICE_IDS, Catalogue
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
