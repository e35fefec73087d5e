"""Route dependencies: who is signed in and whether their role may open the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.officer.web.console import Auth, Forbidden, console


def signed_in(request: Request) -> Auth:
    """Any signed-in account."""
    return console(request).auth(request)


def ticket_worker(request: Request) -> Auth:
    """Officers and supervisors (admins do not work tickets)."""
    auth = signed_in(request)
    if not auth.viewer.handles_tickets:
        raise Forbidden()
    return auth


def supervisor(request: Request) -> Auth:
    """Supervisors only: reports, export, canned replies."""
    auth = signed_in(request)
    if not auth.viewer.is_supervisor:
        raise Forbidden()
    return auth


def admin(request: Request) -> Auth:
    """Admins only: accounts, units, holidays, audit log."""
    auth = signed_in(request)
    if not auth.viewer.is_admin:
        raise Forbidden()
    return auth


SignedIn = Annotated[Auth, Depends(signed_in)]
TicketWorker = Annotated[Auth, Depends(ticket_worker)]
Supervisor = Annotated[Auth, Depends(supervisor)]
Admin = Annotated[Auth, Depends(admin)]
