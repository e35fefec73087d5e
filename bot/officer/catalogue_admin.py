"""Admins edit the service catalogue in the console (the assistant answers from it at once).

The database is the catalogue's home once the service runs: `data/services.yml` seeds it
(`make seed` only inserts what the database lacks, so these edits stay), and
`make import-catalogue` replaces it with the file after showing what that overwrites.

Each aspect of a service is a fact with a source, the date it was checked and whether it is
regional. Changing a fact's text or source, or ticking "sudah diperiksa hari ini", dates it
today; a fact without a source was checked against nothing, so clearing the source clears
the date and a check cannot be ticked without one. A fact checked more than
FACT_MAX_AGE_DAYS ago, or never, or without a source, is listed as needing a check
(`facts_to_check`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.officer import audit
from bot.store.catalogue import FACT_ASPECTS, FactEntry, fact_content
from bot.store.models import Office, Service, ServiceFact, utcnow
from bot.texts import FACT_ASPECT_LABELS
from bot.tickets.deadlines import local_today

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
MAX_SOURCE = 500


class CatalogueError(ValueError):
    """An edit that cannot be saved (message in Indonesian)."""


@dataclass(frozen=True)
class FactRow:
    """One fact of a service: where it comes from and whether it needs a check."""

    aspect: str
    label: str
    source: str | None
    checked: date | None
    regional: bool
    said: bool  # the catalogue says something about it (else nothing to check)
    too_old: bool  # checked more than the allowed age ago, or never

    @property
    def needs_check(self) -> bool:
        """A fact the assistant says that is unsourced or not checked recently."""
        return self.said and (self.too_old or not self.source)


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
    facts: tuple[FactRow, ...] = ()

    @property
    def to_check(self) -> tuple[FactRow, ...]:
        """The facts that need a check."""
        return tuple(f for f in self.facts if f.needs_check)


@dataclass(frozen=True)
class FactAge:
    """When a fact counts as too old: checked before `oldest`."""

    today: date
    max_age_days: int

    @property
    def oldest(self) -> date:
        """The earliest checked date still recent enough."""
        return self.today - timedelta(days=self.max_age_days)


def list_services(engine: Engine, age: FactAge | None = None) -> list[ServiceRow]:
    """Every service with its office and facts, by name."""
    with Session(engine) as s:
        rows = s.execute(select(Service, Office.name).join(Office).order_by(Service.name)).all()
        facts = _facts(s)
        return [_row(service, office, facts.get(service.id, {}), age) for service, office in rows]


def get_service(engine: Engine, service_id: str, age: FactAge | None = None) -> ServiceRow | None:
    """One service, or None."""
    with Session(engine) as s:
        row = s.execute(
            select(Service, Office.name).join(Office).where(Service.id == service_id)
        ).first()
        if row is None:
            return None
        return _row(row[0], row[1], _facts(s, service_id).get(service_id, {}), age)


def facts_to_check(engine: Engine, age: FactAge) -> list[tuple[ServiceRow, FactRow]]:
    """Every fact the assistant says that is unsourced or checked too long ago (or never),
    oldest first, for the "perlu diperiksa" page."""
    found = [(row, fact) for row in list_services(engine, age) for fact in row.to_check]
    return sorted(found, key=lambda x: (x[1].checked or date.min, x[0].name, x[1].aspect))


def _facts(s: Session, service_id: str | None = None) -> dict[str, dict[str, ServiceFact]]:
    query = select(ServiceFact)
    if service_id is not None:
        query = query.where(ServiceFact.service_id == service_id)
    out: dict[str, dict[str, ServiceFact]] = {}
    for fact in s.scalars(query):
        out.setdefault(fact.service_id, {})[fact.aspect] = fact
    return out


def _values(service: Service) -> dict[str, Any]:
    """The service's fields by name, as bot.store.catalogue.fact_content reads them."""
    values = {name: getattr(service, name) for name in (*TEXT_FIELDS, *LIST_FIELDS)}
    values["office"] = service.office_id
    return values


def _says(values: Mapping[str, Any], aspect: str) -> bool:
    # location_hours is the office's: always said. Otherwise its main field (the first).
    return aspect == "location_hours" or bool(fact_content(values, aspect)[0])


def _fact_row(
    aspect: str, fact: ServiceFact | None, values: Mapping[str, Any], age: FactAge | None
) -> FactRow:
    checked = fact.checked if fact else None
    return FactRow(
        aspect=aspect,
        label=FACT_ASPECT_LABELS[aspect],
        source=fact.source if fact else None,
        checked=checked,
        regional=bool(fact and fact.regional),
        said=_says(values, aspect),
        too_old=age is not None and (checked is None or checked < age.oldest),
    )


def _row(
    service: Service, office_name: str, facts: Mapping[str, ServiceFact], age: FactAge | None
) -> ServiceRow:
    values = _values(service)
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
        facts=tuple(_fact_row(a, facts.get(a), values, age) for a in FACT_ASPECTS),
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


def fact_field(kind: str, aspect: str) -> str:
    """The edit form's field of a fact: kind source, regional or checked (the box
    "sudah diperiksa hari ini")."""
    return f"fact_{kind}_{aspect}"


def update_service(
    engine: Engine,
    service_id: str,
    form: dict[str, str],
    actor_id: int,
    today: date | None = None,
) -> None:
    """Save an admin's edit; empty fields become gaps the assistant reports honestly.

    A fact whose text or source changed, or whose box "sudah diperiksa hari ini" is ticked,
    is dated `today` (default: today in the service's time zone); one left without a source
    has no date (CatalogueError when its box is ticked). A fact field the form lacks keeps
    its stored value.
    """
    today = today or local_today(get_settings().timezone)
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
        before = _values(service)
        changed: dict[str, Any] = {
            field: {"from": getattr(service, field), "to": value}
            for field, value in new.items()
            if getattr(service, field) != value
        }
        for field, value in new.items():
            setattr(service, field, value)
        service.updated_at = utcnow()
        after = _values(service)
        stored = _facts(s, service_id).get(service_id, {})
        for aspect in FACT_ASPECTS:
            edited = fact_content(before, aspect) != fact_content(after, aspect)
            change = _update_fact(s, service_id, aspect, stored.get(aspect), form, edited, today)
            if change:
                changed[f"facts.{aspect}"] = change
        if changed:
            audit.record(s, actor_id, "catalogue_update", service_id, changed)


def _update_fact(
    s: Session,
    service_id: str,
    aspect: str,
    fact: ServiceFact | None,
    form: Mapping[str, str],
    edited: bool,
    today: date,
) -> dict[str, Any] | None:
    """Apply the form to one fact; what changed (for the audit log), or None."""
    old = FactEntry(
        source=fact.source if fact else None,
        checked=fact.checked if fact else None,
        regional=bool(fact and fact.regional),
    )
    raw_source = form.get(fact_field("source", aspect))
    source = old.source if raw_source is None else _source(raw_source, aspect)
    raw_regional = form.get(fact_field("regional", aspect))
    regional = old.regional if raw_regional is None else raw_regional == "1"
    confirmed = form.get(fact_field("checked", aspect)) == "1"
    if source is None:
        # Checked against nothing: clearing the source is no check, and none can be ticked.
        if confirmed:
            raise CatalogueError(
                f"{FACT_ASPECT_LABELS[aspect]}: fakta tanpa sumber tidak dapat ditandai sudah "
                "diperiksa. Isi sumbernya (peraturan atau laman resmi) dahulu."
            )
        checked = None
    elif edited or confirmed or source != old.source:
        checked = today
    else:
        checked = old.checked
    new = FactEntry(source=source, checked=checked, regional=regional)
    if new == old:
        return None
    if fact is None:
        fact = ServiceFact(service_id=service_id, aspect=aspect)
        s.add(fact)
    fact.source, fact.checked, fact.regional = new.source, new.checked, new.regional
    fact.updated_at = utcnow()
    return {"from": old.shown(), "to": new.shown()}


def _source(value: str, aspect: str) -> str | None:
    value = " ".join(value.split())
    if len(value) > MAX_SOURCE:
        raise CatalogueError(
            f"Sumber {FACT_ASPECT_LABELS[aspect].lower()} terlalu panjang "
            f"(maksimal {MAX_SOURCE} karakter)."
        )
    return value or None
