"""The service catalogue: `data/services.yml` validated with pydantic and loaded into SQL."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import Office, Service, utcnow

CANONICAL_SERVICE_IDS = (
    "ktp",
    "kk",
    "kia",
    "akta_kelahiran",
    "akta_kematian",
    "surat_pindah",
    "sim",
    "skck",
    "paspor",
    "stnk",
    "npwp",
    "pbb",
    "bpjs_kesehatan",
    "pbg",
    "nib",
    "sktm",
    "surat_domisili",
    "kartu_kuning",
)


class OfficeEntry(BaseModel):
    """An office as written in the catalogue file."""

    id: str
    name: str
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None


class HelpdeskEntry(BaseModel):
    """The complaint unit citizens reach when they ask for a person."""

    name: str
    phone: str | None = None
    whatsapp: str | None = None
    email: str | None = None
    hours: str | None = None


class ServiceEntry(BaseModel):
    """A service as written in the catalogue file."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    office: str
    requirements: list[str] | None = None
    cost: str | None = None
    cost_basis: str | None = None
    duration: str | None = None
    duration_basis: str | None = None
    reporting_deadline: str | None = None
    reporting_deadline_basis: str | None = None
    procedure: list[str] | None = None
    online_channel: str | None = None
    product: str | None = None

    @field_validator("aliases")
    @classmethod
    def _lowercase_aliases(cls, value: list[str]) -> list[str]:
        return [alias.strip().lower() for alias in value]


class Catalogue(BaseModel):
    """The whole file, checked for dangling office ids and duplicate aliases."""

    version: int = 1
    helpdesk: HelpdeskEntry | None = None
    offices: list[OfficeEntry]
    services: list[ServiceEntry]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        office_ids = {o.id for o in self.offices}
        seen_aliases: dict[str, str] = {}
        for service in self.services:
            if service.office not in office_ids:
                raise ValueError(f"service {service.id}: unknown office {service.office!r}")
            for alias in service.aliases:
                other = seen_aliases.setdefault(alias, service.id)
                if other != service.id:
                    raise ValueError(f"alias {alias!r} used by {other} and {service.id}")
        return self

    @classmethod
    def from_file(cls, path: Path) -> Catalogue:
        """Parse and validate a catalogue YAML file."""
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_catalogue(engine: Engine, catalogue: Catalogue) -> tuple[int, int]:
    """Insert or update every office and service (idempotent). Returns (offices, services)."""
    with Session(engine) as session, session.begin():
        for entry in catalogue.offices:
            session.merge(Office(**entry.model_dump()))
        session.flush()
        for svc in catalogue.services:
            data = svc.model_dump()
            data["office_id"] = data.pop("office")
            session.merge(Service(**data, updated_at=utcnow()))
    return len(catalogue.offices), len(catalogue.services)


def catalogue_is_empty(engine: Engine) -> bool:
    """True when no service has been loaded yet (first start)."""
    with Session(engine) as session:
        return session.scalar(select(Service.id).limit(1)) is None


def helpdesk(path: Path) -> HelpdeskEntry | None:
    """The complaint unit's contact from the catalogue file (read on each call: small)."""
    return Catalogue.from_file(path).helpdesk
