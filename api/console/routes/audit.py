"""Audit (regulator, compliance): a player's balances as of a time, export downloads,
verified replays and the adjustment log (compliance)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from api.console.nav import AUDIT, REPLAY
from api.console.reads import current, dumped
from api.console.web import Staff, act, allowed, page, render
from api.console.sessions import new_id
from api.http.routes import admin_audit, audit, audit_events
from api.http.schemas.audit import ReplayCreate
from domain.kernel.clock import parse_instant
from domain.kernel.errors import DomainError
from domain.kernel.text import check_id

router = APIRouter()
FORMATS = ("jsonl", "csv")


@router.get("/audit")
def audit_page(request: Request, player: str = "", at: str = "", replay: str = "",
               cursor: str | None = None, staff: Staff = page(*AUDIT.roles)) -> Response:
    services = request.app.state.services
    context: dict = {"player": player, "at": at, "replay": replay, "formats": FORMATS,
                     "may_replay": staff.role in REPLAY, "history": None, "run": None,
                     "log": None, "errors": []}
    try:
        if player and at:
            check_id(player, "player")
            context["history"] = dumped(audit.balances(player, utc_text(at), services))
        if replay and staff.role in REPLAY:
            check_id(replay, "replay")
            context["run"] = dumped(admin_audit.replay_result(replay, services))
    except DomainError as error:
        context["errors"].append(error.message)
    if staff.role in REPLAY:
        current(services)
        found = dumped(admin_audit.adjustments(services, cursor=cursor, limit=25))
        context["log"] = found["entries"]
        context["next_log"] = (f"/console/audit?{urlencode({'cursor': found['nextCursor']})}"
                               if found["nextCursor"] else None)
    return render(request, "audit.html", staff, status=422 if context["errors"] else 200,
                  **context)


@router.get("/audit/export")
def export(request: Request, start: str = "", end: str = "", player: str = "",
           file_format: str = "jsonl", staff: Staff = page(*AUDIT.roles)) -> Response:
    try:
        if player:
            check_id(player, "player")
        if file_format not in FORMATS:
            raise DomainError(f"format: {file_format!r} is not one of {', '.join(FORMATS)}")
        return audit_events.events(
            request.app.state.services,
            start=parse_instant(utc_text(start), "from") if start else None,
            end=parse_instant(utc_text(end), "to") if end else None,
            player_id=player or None, types=None, file_format=file_format,
            format_version=2, principal=staff.principal)
    except DomainError as error:
        return render(request, "refused.html", staff, status=422, message=error.message)


@router.post("/audit/replay")
def start_replay(request: Request, staff: Staff = page(*AUDIT.roles)) -> Response:
    allowed(staff, REPLAY)

    def run() -> str:
        body = ReplayCreate.model_validate({"requestId": f"console-{new_id()[:16]}"})
        started = admin_audit.replay(body, request.app.state.services, staff.principal)
        return (f"Replay {started.request_id} is {started.verdict}; look it up by that "
                "id for its verdict")

    return act(request, staff, run)


def utc_text(local: str) -> str:
    """A form's date and time; without a zone it is taken as UTC (the console's zone)."""
    text = local.strip()
    has_zone = text.endswith("Z") or "+" in text[10:] or "-" in text[10:]
    return text if has_zone or len(text) <= 10 else text + "Z"
