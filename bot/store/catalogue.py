"""The service catalogue: `data/services.yml` validated with pydantic and loaded into SQL.

The database is the catalogue's home once the service runs (admins edit it in the console).
`seed_catalogue` (`python -m bot seed`) only inserts what the database lacks;
`import_catalogue` (`python -m bot catalogue import`) replaces it with the file, after
`catalogue_diff` has shown what that changes.

Every aspect of a service (FACT_ASPECTS) is a fact with a source, the date it was checked
and whether the rule is regional (`service_facts`, edited in the console).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import Engine, Table, delete, func, select
from sqlalchemy.orm import Session

from bot.store.models import Base, ConsoleAuditLog, Office, Service, ServiceFact, utcnow

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

# The aspects of a service that are facts with a source, and the fields each one covers
# (location_hours: the office's address and hours).
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "requirements": ("requirements",),
    "cost": ("cost", "cost_basis"),
    "duration": ("duration", "duration_basis"),
    "reporting_deadline": ("reporting_deadline", "reporting_deadline_basis"),
    "procedure": ("procedure", "online_channel", "product"),
    "location_hours": ("office",),
}
FACT_ASPECTS = tuple(FACT_FIELDS)


def fact_content(values: Mapping[str, Any], aspect: str) -> tuple[Any, ...]:
    """What a fact says: the values of its fields (a service's fields by name)."""
    return tuple(values.get(name) for name in FACT_FIELDS[aspect])


class FactEntry(BaseModel):
    """Where one fact of a service comes from, as written in the catalogue file."""

    source: str | None = None
    checked: date | None = None
    regional: bool = False

    @field_validator("source")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    def shown(self) -> dict[str, Any]:
        """The fact as compared and printed by the import's diff."""
        return {
            "source": self.source,
            "checked": self.checked.isoformat() if self.checked else None,
            "regional": self.regional,
        }


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
    facts: dict[str, FactEntry] = Field(default_factory=dict)

    @field_validator("aliases")
    @classmethod
    def _lowercase_aliases(cls, value: list[str]) -> list[str]:
        return [alias.strip().lower() for alias in value]

    @field_validator("facts")
    @classmethod
    def _known_aspects(cls, value: dict[str, FactEntry]) -> dict[str, FactEntry]:
        unknown = sorted(set(value) - set(FACT_ASPECTS))
        if unknown:
            raise ValueError(f"unknown fact aspects {unknown}; expected {list(FACT_ASPECTS)}")
        return value

    def row_values(self) -> dict[str, Any]:
        """The `services` row's columns (facts are rows of their own)."""
        data = self.model_dump(exclude={"facts"})
        data["office_id"] = data.pop("office")
        return data


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


@dataclass(frozen=True)
class SeedResult:
    """What `seed_catalogue` inserted (ids), and the file's aliases another service holds."""

    offices: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (service id, alias) added to a stored service
    taken_aliases: tuple[tuple[str, str, str], ...] = ()  # (service id, alias, holder) skipped
    # (service id, aspect) of a stored service given the file's source and date, and those
    # added without them because the stored text is not the file's (an admin checks them).
    facts: tuple[tuple[str, str], ...] = ()
    unsourced_facts: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        """True when the database already had everything the file defines."""
        return not (
            self.offices or self.services or self.aliases or self.facts or self.unsourced_facts
        )


def _fact_row(service_id: str, aspect: str, fact: FactEntry) -> ServiceFact:
    return ServiceFact(
        service_id=service_id,
        aspect=aspect,
        source=fact.source,
        checked=fact.checked,
        regional=fact.regional,
        updated_at=utcnow(),
    )


def seed_catalogue(engine: Engine, catalogue: Catalogue) -> SeedResult:
    """Insert the offices, services and aliases the database lacks; never change a stored value.

    Offices and services are matched by id: a stored one keeps every field as it is (admins
    edit them in the console), and one the file defines but the database lacks is inserted.
    A stored service gains the file's aliases it lacks (aliases are not edited in the
    console), unless another service already answers to that alias. It also gains the
    facts it lacks: with the file's source and date where its stored text is the file's,
    else with neither (the file's source does not vouch for an admin's text), so the console
    lists them as needing a check. A stored fact is never changed.
    """
    offices: list[str] = []
    services: list[str] = []
    aliases: list[tuple[str, str]] = []
    taken: list[tuple[str, str, str]] = []
    facts: list[tuple[str, str]] = []
    unsourced: list[tuple[str, str]] = []
    with Session(engine) as session, session.begin():
        stored_offices = set(session.scalars(select(Office.id)))
        for office in catalogue.offices:
            if office.id not in stored_offices:
                session.add(Office(**office.model_dump()))
                offices.append(office.id)
        session.flush()
        stored = {svc.id: svc for svc in session.scalars(select(Service))}
        holder = {alias: sid for sid, svc in stored.items() for alias in svc.aliases or ()}
        stored_facts = set(session.execute(select(ServiceFact.service_id, ServiceFact.aspect)))
        for entry in catalogue.services:
            free = []
            for alias in entry.aliases:
                owner = holder.setdefault(alias, entry.id)
                if owner == entry.id:
                    free.append(alias)
                else:
                    taken.append((entry.id, alias, owner))
            service = stored.get(entry.id)
            if service is None:
                data = entry.row_values()
                data["aliases"] = free
                session.add(Service(**data, updated_at=utcnow()))
                session.flush()
                session.add_all(_fact_row(entry.id, a, f) for a, f in entry.facts.items())
                services.append(entry.id)
                continue
            missing = [alias for alias in free if alias not in (service.aliases or ())]
            if missing:
                service.aliases = [*(service.aliases or ()), *missing]
                aliases.extend((entry.id, alias) for alias in missing)
            values = _service_values(service)
            wanted = entry.model_dump()
            for aspect, fact in entry.facts.items():
                if (entry.id, aspect) in stored_facts:
                    continue
                if fact_content(values, aspect) == fact_content(wanted, aspect):
                    session.add(_fact_row(entry.id, aspect, fact))
                    facts.append((entry.id, aspect))
                else:
                    blank = FactEntry(regional=fact.regional)
                    session.add(_fact_row(entry.id, aspect, blank))
                    unsourced.append((entry.id, aspect))
    return SeedResult(
        tuple(offices),
        tuple(services),
        tuple(aliases),
        tuple(taken),
        tuple(facts),
        tuple(unsourced),
    )


@dataclass(frozen=True)
class FieldChange:
    """One field whose stored value (old) differs from the file's (new)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class EntryDiff:
    """An office or a service: added, removed or changed (then with its fields)."""

    id: str
    name: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CatalogueDiff:
    """How the file differs from the database (old = database, new = file)."""

    offices_added: tuple[EntryDiff, ...] = ()
    offices_removed: tuple[EntryDiff, ...] = ()
    offices_changed: tuple[EntryDiff, ...] = ()
    services_added: tuple[EntryDiff, ...] = ()
    services_removed: tuple[EntryDiff, ...] = ()
    services_changed: tuple[EntryDiff, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the database holds exactly what the file defines."""
        return not any(getattr(self, f.name) for f in fields(self))

    def lines(self) -> list[str]:
        """The diff for a person: one block per kind, a line per field (old -> new)."""
        out: list[str] = []
        for kind in ("services", "offices"):
            for change, mark in (("added", "+"), ("removed", "-"), ("changed", "~")):
                entries: tuple[EntryDiff, ...] = getattr(self, f"{kind}_{change}")
                if not entries:
                    continue
                out.append(f"{kind.capitalize()} {change} ({len(entries)}):")
                for entry in entries:
                    out.append(f"  {mark} {entry.id}: {entry.name}")
                    for field_change in entry.changes:
                        out.extend(_field_lines(field_change))
        return out

    def summary(self) -> dict[str, Any]:
        """Ids and changed field names (for the audit log)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            entries: tuple[EntryDiff, ...] = getattr(self, f.name)
            if not entries:
                continue
            if f.name.endswith("_changed"):
                out[f.name] = {e.id: [c.field for c in e.changes] for e in entries}
            else:
                out[f.name] = [e.id for e in entries]
        return out


def _show(value: Any) -> str:
    return "(empty)" if value is None else repr(value)


def _field_lines(change: FieldChange) -> list[str]:
    old, new = change.old, change.new
    if isinstance(old, list) and isinstance(new, list) and sorted(old) != sorted(new):
        lines = [f"      {change.field}:"]
        lines += [f"        - {item!r}" for item in old if item not in new]
        lines += [f"        + {item!r}" for item in new if item not in old]
        return lines
    return [f"      {change.field}: {_show(old)} -> {_show(new)}"]


class CatalogueImportError(ValueError):
    """An import that would break stored data, or that no longer matches the diff shown."""


OFFICE_FIELDS = tuple(name for name in OfficeEntry.model_fields if name != "id")
SERVICE_FIELDS = tuple(name for name in ServiceEntry.model_fields if name not in ("id", "facts"))


def _office_values(office: Office) -> dict[str, Any]:
    return {name: getattr(office, name) for name in OFFICE_FIELDS}


def _service_values(service: Service) -> dict[str, Any]:
    values = {name: getattr(service, name) for name in SERVICE_FIELDS if name != "office"}
    values["office"] = service.office_id
    return values


def _fact_values(fact: ServiceFact) -> dict[str, Any]:
    return FactEntry(source=fact.source, checked=fact.checked, regional=fact.regional).shown()


def _wanted_service(entry: ServiceEntry) -> dict[str, Any]:
    """The file's service as the diff compares it: fields, then one `facts.<aspect>` each."""
    values = entry.model_dump(exclude={"id", "facts"})
    values.update({f"facts.{a}": f.shown() for a, f in entry.facts.items()})
    return values


def _compare(
    stored: dict[str, dict[str, Any]], wanted: dict[str, dict[str, Any]]
) -> tuple[tuple[EntryDiff, ...], tuple[EntryDiff, ...], tuple[EntryDiff, ...]]:
    added = tuple(EntryDiff(i, v["name"]) for i, v in wanted.items() if i not in stored)
    removed = tuple(EntryDiff(i, v["name"]) for i, v in stored.items() if i not in wanted)
    changed = []
    for entry_id, new in wanted.items():
        old = stored.get(entry_id)
        if old is None:
            continue
        names = [*new, *(name for name in old if name not in new)]
        changes = tuple(
            FieldChange(name, old.get(name), new.get(name))
            for name in names
            if old.get(name) != new.get(name)
        )
        if changes:
            changed.append(EntryDiff(entry_id, new["name"], changes))
    return added, removed, tuple(changed)


def _diff(session: Session, catalogue: Catalogue) -> CatalogueDiff:
    stored_offices = {
        o.id: _office_values(o) for o in session.scalars(select(Office).order_by(Office.id))
    }
    stored_services = {
        s.id: _service_values(s) for s in session.scalars(select(Service).order_by(Service.id))
    }
    for fact in session.scalars(select(ServiceFact).order_by(ServiceFact.id)):
        stored_services[fact.service_id][f"facts.{fact.aspect}"] = _fact_values(fact)
    offices = _compare(
        stored_offices, {o.id: o.model_dump(exclude={"id"}) for o in catalogue.offices}
    )
    services = _compare(stored_services, {s.id: _wanted_service(s) for s in catalogue.services})
    return CatalogueDiff(*offices, *services)


def catalogue_diff(engine: Engine, catalogue: Catalogue) -> CatalogueDiff:
    """What `import_catalogue` would change."""
    with Session(engine) as session:
        return _diff(session, catalogue)


def _references(session: Session, table: Table, ids: list[str]) -> dict[str, list[str]]:
    """For each id, the other tables whose rows still point at it ("tickets (3)")."""
    found: dict[str, list[str]] = {}
    if not ids:
        return found
    for other in Base.metadata.sorted_tables:
        if other.name in ("services", "offices", "service_facts"):
            continue  # removed in the same import
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            counts = session.execute(
                select(fk.parent, func.count()).where(fk.parent.in_(ids)).group_by(fk.parent)
            ).all()
            for ref_id, count in counts:
                found.setdefault(ref_id, []).append(f"{other.name} ({count})")
    return found


def import_catalogue(
    engine: Engine,
    catalogue: Catalogue,
    expected: CatalogueDiff | None = None,
    source: str | None = None,
) -> CatalogueDiff:
    """Make the database's catalogue exactly the file's, overwriting the console's edits.

    Services and offices the file lacks are removed, unless tickets, questions or units
    still point at them: then nothing changes and CatalogueImportError names them. With
    `expected` (the diff a person confirmed), nothing changes if the database moved since.
    A non-empty import is written to the admin audit log.
    """
    with Session(engine) as session, session.begin():
        diff = _diff(session, catalogue)
        if expected is not None and diff != expected:
            raise CatalogueImportError(
                "the catalogue in the database changed since the diff was shown; run again"
            )
        if diff.empty:
            return diff
        blocked = [
            f"{kind} {entry_id}: still used by {', '.join(refs)}"
            for kind, table, entries in (
                ("service", Service.__table__, diff.services_removed),
                ("office", Office.__table__, diff.offices_removed),
            )
            for entry_id, refs in _references(
                session, cast(Table, table), [e.id for e in entries]
            ).items()
        ]
        if blocked:
            raise CatalogueImportError(
                "cannot remove what stored records point at; keep it in the file:\n  "
                + "\n  ".join(sorted(blocked))
            )
        for office in catalogue.offices:
            session.merge(Office(**office.model_dump()))
        session.flush()
        changed = {e.id for e in (*diff.services_added, *diff.services_changed)}
        removed = [e.id for e in diff.services_removed]
        session.execute(delete(ServiceFact).where(ServiceFact.service_id.in_([*changed, *removed])))
        for entry in catalogue.services:
            if entry.id in changed:
                session.merge(Service(**entry.row_values(), updated_at=utcnow()))
        session.flush()
        for entry in catalogue.services:
            if entry.id in changed:
                session.add_all(_fact_row(entry.id, a, f) for a, f in entry.facts.items())
        if removed:
            session.execute(delete(Service).where(Service.id.in_(removed)))
        removed = [e.id for e in diff.offices_removed]
        if removed:
            session.execute(delete(Office).where(Office.id.in_(removed)))
        session.add(
            ConsoleAuditLog(
                actor_id=None, action="catalogue_import", target=source, data=diff.summary()
            )
        )
    return diff


def catalogue_is_empty(engine: Engine) -> bool:
    """True when no service has been loaded yet (first start)."""
    with Session(engine) as session:
        return session.scalar(select(Service.id).limit(1)) is None


def helpdesk(path: Path) -> HelpdeskEntry | None:
    """The complaint unit's contact from the catalogue file (read on each call: small)."""
    return Catalogue.from_file(path).helpdesk
