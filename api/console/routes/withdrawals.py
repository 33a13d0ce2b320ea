"""The withdrawals queue: four-eyes approval and rejection (finance), retry and
cancel of a failed send (operator, finance), each with a reason, as the person."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request, Response

from api.console.nav import DECIDE, WITHDRAWALS
from api.console.reads import current, dumped, paged
from api.console.web import Staff, act, allowed, page, render
from api.http.routes import withdrawals as api
from api.http.schemas.cashier import Decision
from domain.cashier.withdrawals.model import STATUSES

router = APIRouter()


@router.get("/withdrawals")
def queue(request: Request, status: str = "pending_approval", page_number: int = 1,
          staff: Staff = page(*WITHDRAWALS.roles)) -> Response:
    services = request.app.state.services
    if status not in (*STATUSES, "all"):
        return render(request, "withdrawals.html", staff, status=422, statuses=STATUSES,
                      chosen=status, error=f"{status!r} is not a withdrawal status",
                      listing=paged([], 1), actions=[])
    current(services)
    rows = dumped(api.listed(services, status=None if status == "all" else status,
                             limit=500))["withdrawals"]
    actions = [a for a, roles in DECIDE.items() if staff.role in roles]
    return render(request, "withdrawals.html", staff, statuses=STATUSES, chosen=status,
                  listing=paged(rows, page_number), actions=actions)


@router.post("/withdrawals/{withdrawal_id}/{action}")
def decide(request: Request, withdrawal_id: UUID, action: str,
           reason: Annotated[str, Form(max_length=500)],
           staff: Staff = page(*WITHDRAWALS.roles)) -> Response:
    if action not in DECIDE:
        return render(request, "result.html", staff, status=404, ok=False,
                      message=f"no action {action!r}")
    allowed(staff, DECIDE[action])

    def run() -> str:
        body = Decision.model_validate({"reason": reason})
        done = api.decide(action)(withdrawal_id, body, request.app.state.services,
                                  Response(), staff.principal)
        return (f"{action}: {done.status}; approvals {', '.join(done.approvals) or 'none'} "
                f"of {done.approvals_needed} needed")

    return act(request, staff, run)
