"""Back office: manual adjustments and the state of the projections."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.http.auth import Principal, Role
from api.http.deps import ServicesDep, require
from api.http.readers import figures
from api.http.schemas.common import (
    BALANCE_AMOUNTS,
    AdjustmentCreate,
    AdjustmentPublic,
    BalancePublic,
    ProjectionStatus,
)
from api.http.strict_json import StrictJsonRoute
from domain.wallet.commands import Adjust

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin", tags=["admin"])


@router.post("/adjustments", response_model=AdjustmentPublic)
def adjust(body: AdjustmentCreate, services: ServicesDep, response: Response,
           principal: Principal = require(Role.FINANCE)) -> AdjustmentPublic:
    """Credit (positive amount) or debit (negative) a player's cash or bonus."""
    ledger = services.ledger
    amount = ledger.currencies.parse(body.amount, body.currency, negative=True)
    outcome = ledger.execute(Adjust(
        request_id=body.request_id, player_id=body.player_id, currency=body.currency,
        amount=amount, balance=body.balance, reason=body.reason,
        actor=principal.subject))
    if outcome.position is not None:
        response.headers["X-Log-Position"] = str(outcome.position)
    balance = ledger.currencies.at_precision(figures(outcome.result), BALANCE_AMOUNTS)
    return AdjustmentPublic(request_id=body.request_id,
                            balance=BalancePublic.model_validate(balance),
                            position=outcome.position)


@router.get("/projections", response_model=list[ProjectionStatus],
            dependencies=[require(Role.OPERATOR, Role.FINANCE, Role.COMPLIANCE)])
def projections(services: ServicesDep) -> list[ProjectionStatus]:
    """Each projection's position, the log's head, and how far behind it is; and
    each relay to the bus (`relay:<stream>`)."""
    return [ProjectionStatus.model_validate(s)
            for s in [*services.projections.status(), *services.relays()]]
