"""Treasury and reconciliation: hot-wallet health, fundings, reconciliation reports.

Checks and reconciliations run daily as jobs and here on demand; each result
is an event. GET /v1/admin/treasury shows each currency's latest check and
the queued withdrawals the hot wallet could not pay.
"""

from __future__ import annotations

from typing import Annotated

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Query

from api.http.auth import Principal, Role
from api.http.schemas.cashier import (
    FundingCreate,
    FundingPublic,
    HealthPublic,
    ReconcileCreate,
    ReconciliationPublic,
    ReconciliationsPublic,
    TreasuryPublic,
)
from api.http.deps import ConsistentRead, ServicesDep, require
from api.http.readers import figures, record_figures
from api.http.readers import withdrawal_shown as shown
from api.http.schemas.common import Instant
from api.http.strict_json import StrictJsonRoute
from domain.kernel.clock import clock
from domain.kernel.errors import InvalidInput
from domain.cashier.treasury.health import treasury_key
from domain.cashier.treasury.funding import RecordFunding

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin", tags=["cashier"])
READERS = (Role.FINANCE, Role.OPERATOR)


def manual_run() -> str:
    return f"manual:{clock.now().isoformat()}"


@router.get("/treasury", response_model=TreasuryPublic,
            dependencies=[require(*READERS), ConsistentRead])
def treasury(services: ServicesDep) -> TreasuryPublic:
    health = []
    for currency in sorted(c for chain in services.ledger.rules.cashier.chains
                           for c in chain.currencies):
        try:
            found = services.ledger.repository.get(treasury_key(currency))
        except AggregateNotFoundError:
            continue
        health.append(HealthPublic.model_validate(
            figures(found.latest()) | {"checkedAt": found.modified_on}))
    alerts = [shown(services, r) for r in services.withdrawals.rows(status="queued")
              if r["note"]]
    return TreasuryPublic(health=health, queued_alerts=alerts)


@router.post("/treasury/check", response_model=list[HealthPublic])
def check(services: ServicesDep, _: Principal = require(*READERS)) -> list[HealthPublic]:
    """Check every currency with a hot wallet now; each result is recorded."""
    results = services.cashier.treasury().run(manual_run())
    return [HealthPublic.model_validate(figures(r)) for r in results.values()]


@router.post("/treasury/fundings", response_model=FundingPublic)
def funding(body: FundingCreate, services: ServicesDep,
            principal: Principal = require(Role.FINANCE)) -> FundingPublic:
    """Record house money sent to the hot wallet (a refill or capital), by tx hash."""
    amount = services.ledger.currencies.parse(body.amount, body.currency)
    outcome = services.ledger.execute(RecordFunding(
        body.currency, amount, body.tx_hash, principal.subject, body.reason))
    return FundingPublic.model_validate(record_figures(outcome.result, "fundingId"))


@router.get("/reconciliation", response_model=ReconciliationsPublic,
            dependencies=[require(Role.FINANCE), ConsistentRead])
def reports(services: ServicesDep, currency: str | None = None,
            start: Annotated[Instant | None, Query(alias="from")] = None,
            end: Annotated[Instant | None, Query(alias="to")] = None,
            ) -> ReconciliationsPublic:
    """Reports newest first, reported in [from, to) (ISO 8601 with a time zone)."""
    for value in (start, end):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("from/to need a time zone (e.g. 2026-01-15T00:00:00Z)",
                               field="from")
    return ReconciliationsPublic(reports=[
        ReconciliationPublic.model_validate(r)
        for r in services.reconciliations.rows(currency=currency, start=start, end=end)])


@router.post("/reconciliation", response_model=ReconciliationsPublic, openapi_extra={
    "x-semantic-refusals": {"currency": "has no hot wallet in this deployment"}})
def reconcile(body: ReconcileCreate, services: ServicesDep,
              _: Principal = require(Role.FINANCE)) -> ReconciliationsPublic:
    """Reconcile now (one currency, or every one with a hot wallet)."""
    reconciler = services.cashier.reconciler()
    if body.currency is not None and body.currency not in reconciler.currencies:
        raise InvalidInput(f"currency: no hot wallet configured for {body.currency!r}",
                           field="currency")
    found = reconciler.run(manual_run(), [body.currency] if body.currency else None)
    return ReconciliationsPublic(reports=[
        ReconciliationPublic.model_validate(record_figures(r, "reportId"))
        for r in found.values()])
