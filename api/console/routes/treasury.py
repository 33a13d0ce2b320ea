"""Treasury and reconciliation: hot-wallet health per currency, queued sends the hot
wallet could not pay, and the latest reports with their discrepancies marked."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.console.nav import RECONCILE, TREASURY
from api.console.reads import current, dumped, paged
from api.console.web import Staff, act, allowed, page, render
from api.http.routes import treasury as api
from api.http.schemas.cashier import ReconcileCreate

router = APIRouter()


@router.get("/treasury")
def treasury(request: Request, page_number: int = 1,
             staff: Staff = page(*TREASURY.roles)) -> Response:
    services = request.app.state.services
    current(services)
    state = dumped(api.treasury(services))
    reports = (dumped(api.reports(services, currency=None, start=None, end=None))["reports"]
               if staff.role in RECONCILE else None)
    return render(request, "treasury.html", staff, health=state["health"],
                  alerts=state["queuedAlerts"],
                  reports=None if reports is None else paged(reports, page_number),
                  may_reconcile=staff.role in RECONCILE)


@router.post("/treasury/check")
def check(request: Request, staff: Staff = page(*TREASURY.roles)) -> Response:
    def run() -> str:
        found = api.check(request.app.state.services, staff.principal)
        return "Checked: " + (", ".join(f"{h.currency} {h.status}" for h in found)
                              or "no hot wallet is configured")

    return act(request, staff, run)


@router.post("/treasury/reconcile")
def reconcile(request: Request, staff: Staff = page(*TREASURY.roles)) -> Response:
    allowed(staff, RECONCILE)

    def run() -> str:
        found = api.reconcile(ReconcileCreate(), request.app.state.services,
                              staff.principal)
        return "Reconciled: " + (", ".join(f"{r.currency} {r.verdict}"
                                           for r in found.reports) or "nothing to do")

    return act(request, staff, run)
