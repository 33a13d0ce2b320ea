"""Sign-in with a password and a TOTP code, first-time enrolment with a QR code, sign-out.

Each attempt is decided by the account (domain/staff): failures are recorded
and lock it after `max_failures`; a code is accepted once. A name with no
account is refused like a wrong password (and takes as long), and logged,
since there is no account to record it on.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.console.credentials import matched_step, new_secret, provisioning_uri, qr_svg
from api.console.sessions import (
    CSRF_COOKIE,
    ENROL_COOKIE,
    SESSION_COOKIE,
    Claims,
    new_id,
)
from api.console.web import Staff, account_of, console_of, render, set_cookie, signed_in
from domain.kernel.clock import clock
from domain.kernel.text import is_id
from domain.staff.commands import EnrolTotp, RecordSignIn, SignInOutcome, SignOut

log = logging.getLogger(__name__)
router = APIRouter()
Field = Annotated[str, Form(max_length=200)]
REFUSALS = {"locked": "this account is locked after repeated failed sign-ins; try again "
                      "later, or ask an administrator to unlock it",
            "replayed code": "that code was used already; wait for the next one"}
WRONG = "wrong name, password or code"


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/console/") -> Response:
    return render(request, "sign_in.html", next=safe_next(next))


@router.post("/sign-in")
def sign_in(request: Request, name: Field, password: Field, code: Field = "",
            next: Field = "/console/") -> Response:
    console, services = console_of(request), request.app.state.services
    account = account_of(request, name) if is_id(name) else None
    password_ok = console.credentials.password_ok(
        name, account.password if account else None, password)
    if account is None:
        log.warning("console sign-in refused: no staff account of that name")
        return render(request, "sign_in.html", status=401, error=WRONG, next=next)
    step = None
    if password_ok and account.enrolled:
        secret = console.credentials.unseal(name, account.totp)
        step = matched_step(secret, code.strip(), clock.now())
    policy = console.settings
    outcome: SignInOutcome = services.ledger.execute(RecordSignIn(
        name, session=new_id(), password_ok=password_ok, step=step,
        max_failures=policy.max_failures, lock_minutes=policy.lock_minutes)).result
    if outcome.refusal:
        return render(request, "sign_in.html", status=401, next=next,
                      error=REFUSALS.get(outcome.refusal, WRONG))
    if outcome.enrol:
        sealed = console.credentials.seal(name, new_secret())
        response = RedirectResponse("/console/enrol", status_code=303)
        set_cookie(request, response, ENROL_COOKIE,
                   console.sessions.seal_value("enrol", f"{name}\n{sealed}"))
        return response
    return started(request, outcome.name, outcome.session, safe_next(next))


@router.get("/enrol")
def enrol_page(request: Request) -> Response:
    found = enrolling(request)
    if found is None:
        return RedirectResponse("/console/sign-in", status_code=303)
    name, secret, _ = found
    uri = provisioning_uri(secret, name)
    return render(request, "enrol.html", name=name, secret=secret, qr=qr_svg(uri))


@router.post("/enrol")
def enrol(request: Request, code: Field) -> Response:
    found = enrolling(request)
    if found is None:
        return RedirectResponse("/console/sign-in", status_code=303)
    name, secret, sealed = found
    step = matched_step(secret, code.strip(), clock.now())
    if step is None:
        return render(request, "enrol.html", status=422, name=name, secret=secret,
                      qr=qr_svg(provisioning_uri(secret, name)),
                      error="that code does not match; check the time on your device")
    outcome = request.app.state.services.ledger.execute(
        EnrolTotp(name, totp=sealed, step=step, session=new_id())).result
    response = started(request, name, outcome.session, "/console/")
    response.delete_cookie(ENROL_COOKIE, path="/console")
    return response


@router.post("/sign-out")
def sign_out(request: Request, staff: Staff = Depends(signed_in)) -> Response:
    request.app.state.services.ledger.execute(
        SignOut(staff.principal.subject, session=staff.claims.session))
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


def enrolling(request: Request) -> tuple[str, str, str] | None:
    """The name, secret and sealed secret of the enrolment this browser is in."""
    console = console_of(request)
    value = console.sessions.sealed_value("enrol", request.cookies.get(ENROL_COOKIE))
    if not value:
        return None
    name, sealed = value.split("\n", 1)
    account = account_of(request, name)
    if account is None or account.enrolled:
        return None
    return name, console.credentials.unseal(name, sealed), sealed


def started(request: Request, name: str, session: str, next: str) -> Response:
    """The redirect that carries a new session, with a new CSRF nonce."""
    now = int(clock.now().timestamp())
    console = console_of(request)
    response = RedirectResponse(next, status_code=303)
    set_cookie(request, response, SESSION_COOKIE,
               console.sessions.issue(Claims(name, session, now, now)))
    set_cookie(request, response, CSRF_COOKIE, new_id())
    return response


def safe_next(path: str) -> str:
    """Only a path inside the console: never another site (`//evil`, `/\\evil`)."""
    ok = path.startswith("/console/") and "//" not in path and "\\" not in path
    return path if ok else "/console/"
