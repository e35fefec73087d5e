"""Admins edit the service catalogue in the console (the assistant answers from it at once).

The database is the catalogue's home once the service runs: `data/services.yml` seeds it
(`make seed` only inserts what the database lacks, so these edits stay), and
`make import-catalogue` replaces it with the file after showing what that overwrites.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer import audit
from bot.store.models import Office, Service, utcnow

TEXT_FIELDS = (
    "cost",
    "cost_basis",
    "duration",
    "duration_basis",
    "reporting_deadline",
    "reporting_deadline_basis",
    "online_channel",
    "product",
)
LIST_FIELDS = ("requirements", "procedure")
MAX_TEXT = 2000


class CatalogueError(ValueError):
    """An edit that cannot be saved (message in Indonesian)."""


@dataclass(frozen=True)
class ServiceRow:
    """One service as the admin pages show it."""

    id: str
    name: str
    office_id: str
    office_name: str
    requirements: list[str]
    procedure: list[str]
    cost: str | None
    cost_basis: str | None
    duration: str | None
    duration_basis: str | None
    reporting_deadline: str | None
    reporting_deadline_basis: str | None
    online_channel: str | None
    product: str | None


def list_services(engine: Engine) -> list[ServiceRow]:
    """Every service with its office, by name."""
    with Session(engine) as s:
        rows = s.execute(select(Service, Office.name).join(Office).order_by(Service.name)).all()
        return [_row(service, office) for service, office in rows]


def get_service(engine: Engine, service_id: str) -> ServiceRow | None:
    """One service, or None."""
    with Session(engine) as s:
        row = s.execute(
            select(Service, Office.name).join(Office).where(Service.id == service_id)
        ).first()
        return _row(row[0], row[1]) if row else None


def _row(service: Service, office_name: str) -> ServiceRow:
    return ServiceRow(
        id=service.id,
        name=service.name,
        office_id=service.office_id,
        office_name=office_name,
        requirements=list(service.requirements or []),
        procedure=list(service.procedure or []),
        cost=service.cost,
        cost_basis=service.cost_basis,
        duration=service.duration,
        duration_basis=service.duration_basis,
        reporting_deadline=service.reporting_deadline,
        reporting_deadline_basis=service.reporting_deadline_basis,
        online_channel=service.online_channel,
        product=service.product,
    )


def _lines(value: str) -> list[str] | None:
    items = [line.strip().lstrip("-•").strip() for line in value.splitlines()]
    items = [item for item in items if item]
    return items or None


def _text(value: str, label: str) -> str | None:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise CatalogueError(f"{label} terlalu panjang (maksimal {MAX_TEXT} karakter).")
    return value or None


def update_service(engine: Engine, service_id: str, form: dict[str, str], actor_id: int) -> None:
    """Save an admin's edit; empty fields become gaps the assistant reports honestly."""
    name = form.get("name", "").strip()
    if not name:
        raise CatalogueError("Nama layanan wajib diisi.")
    with Session(engine) as s, s.begin():
        service = s.get(Service, service_id, with_for_update=True)
        if service is None:
            raise CatalogueError("Layanan tidak ditemukan.")
        office_id = form.get("office_id", service.office_id)
        if s.get(Office, office_id) is None:
            raise CatalogueError("Unit tidak dikenal.")
        new: dict[str, object] = {"name": name[:200], "office_id": office_id}
        for field in TEXT_FIELDS:
            new[field] = _text(form.get(field, ""), field)
        for field in LIST_FIELDS:
            new[field] = _lines(form.get(field, ""))
        changed = {
            field: {"from": getattr(service, field), "to": value}
            for field, value in new.items()
            if getattr(service, field) != value
        }
        for field, value in new.items():
            setattr(service, field, value)
        service.updated_at = utcnow()
        if changed:
            audit.record(s, actor_id, "catalogue_update", service_id, changed)
