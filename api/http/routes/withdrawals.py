"""Withdrawals: a player's requests, and the back office's approvals and repairs.

Approve and reject are finance's (four eyes: the requester never approves,
nobody approves twice); retry and cancel resolve a failed send (operator or
finance). Who acts comes from the token; why is in the body and recorded.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.http.schemas.common import PathId
from api.http.auth import Principal, Role
from api.http.schemas.cashier import (
    Decision,
    WithdrawalCreate,
    WithdrawalPublic,
    WithdrawalsPublic,
)
from api.http.deps import (
    ConsistentRead,
    consistent,
    OwnPlayer,
    ServicesDep,
    log_position,
    player_reader,
    require,
)
from api.http.readers import withdrawal_shown as shown
from api.http.strict_json import StrictJsonRoute
from domain.cashier.withdrawals.model import STATUSES

WithdrawalStatus = Literal[STATUSES]  # type: ignore[valid-type]
from domain.cashier.withdrawals.commands import ApproveWithdrawal, RejectWithdrawal
from domain.cashier.withdrawals.send import CancelWithdrawal, RetryWithdrawal

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["cashier"])
ACTIONS = {"approve": ApproveWithdrawal, "reject": RejectWithdrawal,
           "retry": RetryWithdrawal, "cancel": CancelWithdrawal}
ROLES = {"approve": (Role.FINANCE,), "reject": (Role.FINANCE,),
         "retry": (Role.OPERATOR, Role.FINANCE), "cancel": (Role.OPERATOR, Role.FINANCE)}


@router.post("/players/{player_id}/withdrawals", response_model=WithdrawalPublic,
             openapi_extra={"x-semantic-refusals": {
                 "currency": "its chain sends no withdrawals in this deployment"}})
def request(player_id: PathId, body: WithdrawalCreate, services: ServicesDep,
            response: Response, principal: OwnPlayer) -> WithdrawalPublic:
    """Lock the amount and queue it (pending_approval above the USD threshold).
    The same requestId and payload again returns the first result; another
    payload is a 409."""
    amount = services.ledger.currencies.parse(body.amount, body.currency)
    outcome = services.cashier.request_withdrawal(
        request_id=body.request_id, player_id=player_id, currency=body.currency,
        amount=amount, destination=body.destination, requested_by=principal.subject)
    log_position(response, outcome.position)
    return shown(services, outcome.result, outcome.position)


@router.get("/players/{player_id}/withdrawals", response_model=WithdrawalsPublic,
            dependencies=[Depends(player_reader), consistent("withdrawals")])
def of_player(player_id: PathId, services: ServicesDep,
              limit: Annotated[int, Query(ge=1, le=500)] = 100) -> WithdrawalsPublic:
    return WithdrawalsPublic(withdrawals=[
        shown(services, r) for r in services.withdrawals.rows(player_id=player_id,
                                                             limit=limit)])


@router.get("/admin/withdrawals", response_model=WithdrawalsPublic, dependencies=[
    require(Role.FINANCE, Role.OPERATOR, Role.COMPLIANCE), ConsistentRead])
def listed(services: ServicesDep, status: WithdrawalStatus | None = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> WithdrawalsPublic:
    """Oldest first; `status` one of pending_approval, queued, signed, sent,
    confirmed, rejected, failed, cancelled."""
    return WithdrawalsPublic(withdrawals=[
        shown(services, r) for r in services.withdrawals.rows(status=status, limit=limit)])


def decide(action: str):
    def endpoint(withdrawal_id: UUID, body: Decision, services: ServicesDep,
                 response: Response,
                 principal: Principal = require(*ROLES[action])) -> WithdrawalPublic:
        outcome = services.ledger.execute(ACTIONS[action](
            withdrawal_id, actor=principal.subject, reason=body.reason))
        log_position(response, outcome.position)
        return shown(services, outcome.result, outcome.position)

    endpoint.__name__ = action
    endpoint.__doc__ = f"{action.title()} a withdrawal ({', '.join(ROLES[action])})."
    return endpoint


for _action in ACTIONS:
    router.post(f"/admin/withdrawals/{{withdrawal_id}}/{_action}",
                response_model=WithdrawalPublic)(decide(_action))
