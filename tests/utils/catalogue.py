"""The catalogue editor's form for a stored service, as an admin would submit it."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.officer.catalogue_admin import fact_field, get_service


def service_form(engine: Engine, service_id: str, **changes: str) -> dict[str, str]:
    """Every field of the edit form filled with the stored values (facts' sources and scope
    included, "sudah diperiksa hari ini" unticked), then `changes` applied."""
    row = get_service(engine, service_id)
    assert row is not None, service_id
    form = {
        "name": row.name,
        "office_id": row.office_id,
        "requirements": "\n".join(row.requirements),
        "procedure": "\n".join(row.procedure),
        "cost": row.cost or "",
        "cost_basis": row.cost_basis or "",
        "duration": row.duration or "",
        "duration_basis": row.duration_basis or "",
        "reporting_deadline": row.reporting_deadline or "",
        "reporting_deadline_basis": row.reporting_deadline_basis or "",
        "online_channel": row.online_channel or "",
        "product": row.product or "",
    }
    for fact in row.facts:
        form[fact_field("source", fact.aspect)] = fact.source or ""
        form[fact_field("regional", fact.aspect)] = "1" if fact.regional else "0"
    form.update(changes)
    return form
