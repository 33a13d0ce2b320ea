"""What every console page shares: the signed-in staff member, CSRF, rendering, refusals.

A staff member signed in is a `Principal` like a bearer token's, and pages
check roles with the API's own `admit`; actions call the API's route
functions with that principal, so the actor in every event is the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.console.cells import cell
from api.console.credentials import Credentials
from api.console.nav import visible
from api.console.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Claims,
    SessionEnded,
    Sessions,
    new_id,
)
from api.console.settings import ConsoleSettings
from api.http.auth import Principal, Role
from api.http.deps import admit
from api.http.errors import status_of
from domain.kernel.clock import clock
from domain.kernel.errors import DomainError
from domain.staff.model import StaffAccount, staff_key

TEMPLATES = Path(__file__).parent / "templates"


class Refused(Exception):
    """A page or action this staff member's role may not have (403)."""

    def __init__(self, staff: Staff | None, message: str, status: int = 403):
        super().__init__(message)
        self.staff, self.message, self.status = staff, message, status


@dataclass(frozen=True)
class Staff:
    principal: Principal
    claims: Claims

    @property
    def role(self) -> Role:
        return self.principal.role


class Console:
    """The console's parts, built once per app from the signing key and settings."""

    def __init__(self, signing_key: str, settings: ConsoleSettings):
        self.settings = settings
        self.sessions = Sessions(signing_key, settings)
        self.credentials = Credentials(signing_key)
        self.templates = Jinja2Templates(directory=TEMPLATES)
        self.templates.env.filters["cell"] = cell


def console_of(request: Request) -> Console:
    return request.app.state.console


def account_of(request: Request, name: str) -> StaffAccount | None:
    try:
        return request.app.state.services.ledger.repository.get(staff_key(name))
    except AggregateNotFoundError:
        return None


def signed_in(request: Request) -> Staff:
    """The staff member whose session this request carries, or SessionEnded."""
    claims = console_of(request).sessions.read(request.cookies.get(SESSION_COOKIE),
                                               clock.now())
    account = account_of(request, claims.name)
    if account is None or not account.session or account.session != claims.session:
        raise SessionEnded("your session has ended (signed out, signed in elsewhere, "
                           "or the account was locked); please sign in again")
    principal = Principal(account.name, Role(account.role), account.brand)
    return Staff(principal, replace(claims, seen=int(clock.now().timestamp())))


def page(*roles: Role):
    """A dependency: a signed-in staff member whose role may open this page."""

    def check(request: Request, staff: Staff = Depends(signed_in)) -> Staff:
        allowed(staff, roles)
        within_brand(request, staff)
        return staff

    return Depends(check)


# The pages a staff member scoped to a brand may open (docs/brands.md): a player
# of their brand, read only. Every other page is the group's, as every
# group-wide API route is for a scoped token (api/http/brand_scope.py).
BRAND_PAGES = frozenset({"/console/", "/console/players"})


def within_brand(request: Request, staff: Staff) -> None:
    brand = staff.principal.brand
    if brand is None:
        return
    if request.method != "GET" or request.url.path not in BRAND_PAGES:
        raise Refused(staff, f"staff of brand {brand!r} may open only their brand's "
                      "players")
    player = request.query_params.get("id")
    if player and request.app.state.services.ledger.brand_of(player) != brand:
        raise Refused(staff, f"no player {player!r}", status=404)


def allowed(staff: Staff, roles: tuple[Role, ...]) -> None:
    try:
        admit(staff.principal, roles)
    except HTTPException:
        raise Refused(staff, f"your role ({staff.role}) may not open this page or do "
                      "this") from None


async def csrf_checked(request: Request) -> None:
    """Every form posted to the console carries the token its page was given."""
    if request.method != "POST":
        return
    form = await request.form()
    token = form.get("csrf") or request.headers.get("X-CSRF-Token")
    if not console_of(request).sessions.csrf_ok(request.cookies.get(CSRF_COOKIE),
                                                token if isinstance(token, str) else None):
        raise Refused(None, "the form was missing its security token or it expired; "
                      "reload the page and try again")


def render(request: Request, template: str, staff: Staff | None = None, *,
           status: int = 200, **context: Any) -> HTMLResponse:
    """A page or fragment, with the CSRF token for its forms and the session
    cookie issued again (so the idle timeout starts over)."""
    console = console_of(request)
    nonce = request.cookies.get(CSRF_COOKIE) or new_id()
    response = console.templates.TemplateResponse(request, template, {
        "staff": staff, "csrf": console.sessions.csrf_token(nonce),
        "pages": visible(staff.role) if staff else [], **context}, status_code=status)
    set_cookie(request, response, CSRF_COOKIE, nonce)
    if staff is not None:
        set_cookie(request, response, SESSION_COOKIE, console.sessions.issue(staff.claims))
    return response


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, path="/console", httponly=True, samesite="strict",
                        secure=console_of(request).settings.secure_cookies)


def act(request: Request, staff: Staff, action: Callable[[], str]) -> HTMLResponse:
    """Run an action and answer a fragment saying what happened, or why not."""
    try:
        return render(request, "result.html", staff, ok=True, message=action())
    except DomainError as error:
        return render(request, "result.html", staff, status=status_of(error), ok=False,
                      message=f"{error.code}: {error.message}")
    except ValidationError as error:
        return render(request, "result.html", staff, status=422, ok=False,
                      message="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                        for e in error.errors()))
