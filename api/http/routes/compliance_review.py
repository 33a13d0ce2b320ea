"""Compliance review: blocked attempts, abuse signals, review holds, held deposits.

What each rule does: docs/compliance.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.http.auth import Role
from api.http.deps import ConsistentRead, ServicesDep, log_position, position_cursor, require
from api.http.readers import figures
from api.http.routes.compliance import ADMIN, Compliance, shown
from api.http.schemas.common import ErrorPublic, PathId, PlayerIdQuery, PositionCursor
from api.http.schemas.compliance import (
    BlockedPage,
    DepositRelease,
    DepositReleasePublic,
    SignalPage,
    StandingPublic,
)
from api.http.strict_json import StrictJsonRoute
from domain.compliance.commands import LiftReviewHold
from domain.compliance.deposits import ReleaseDeposit

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["compliance"])
Limit = Annotated[int, Query(ge=1, le=500)]
NOT_FOUND: dict[int | str, dict] = {404: {"model": ErrorPublic, "description": "No such deposit"}}


@router.post(f"{ADMIN}/review-holds/{{scope}}/lift", response_model=StandingPublic)
def lift_hold(player_id: PathId, scope: Literal["withdrawals", "bonus"],
              services: ServicesDep, response: Response,
              principal: Compliance) -> StandingPublic:
    """End a review hold that signals put on withdrawals or bonus release."""
    return shown(services.ledger.execute(LiftReviewHold(
        player_id, f"staff:{principal.subject}", scope)), response)


@router.post("/admin/compliance/deposits/{deposit_id}/release",
             response_model=DepositReleasePublic, responses=NOT_FOUND, openapi_extra={
                 "x-semantic-refusals": {"reason": "blank"}})
def release_deposit(deposit_id: PathId, body: DepositRelease, services: ServicesDep,
                    response: Response, principal: Compliance) -> DepositReleasePublic:
    """Credit a deposit held for review (KYT or a deposit limit); a repeat does nothing."""
    outcome = services.ledger.execute(ReleaseDeposit(
        deposit_id, f"staff:{principal.subject}", body.reason))
    log_position(response, outcome.position)
    return DepositReleasePublic.model_validate(figures(outcome.result))


@router.get("/admin/compliance/blocked", response_model=BlockedPage,
            dependencies=[require(Role.COMPLIANCE), ConsistentRead])
def blocked(services: ServicesDep, player_id: PlayerIdQuery = None,
            reason: str | None = Query(default=None, max_length=32),
            cursor: PositionCursor = None, limit: Limit = 50) -> BlockedPage:
    """Bets and withdrawals refused by a compliance rule, and counts by rule."""
    view = services.projections.views["blocked_attempts"]
    found = view.rows(player_id=player_id, reason=reason,
                      after=position_cursor(cursor, "blocked"), limit=limit)
    return BlockedPage(items=found, counts=view.counts(),
                       next_cursor=str(found[-1]["id"]) if len(found) == limit else None)


@router.get("/admin/compliance/signals", response_model=SignalPage,
            dependencies=[require(Role.COMPLIANCE), ConsistentRead])
def signals(services: ServicesDep, subject: str | None = Query(default=None, max_length=200),
            rule: str | None = Query(default=None, max_length=32),
            cursor: PositionCursor = None, limit: Limit = 50) -> SignalPage:
    """Abuse signals with the bets in evidence (`subject`: player:<id> or provider:<id>)."""
    found = services.projections.views["abuse_signals_list"].rows(
        subject=subject, rule=rule, after=position_cursor(cursor, "signal"), limit=limit)
    return SignalPage(items=found,
                      next_cursor=str(found[-1]["id"]) if len(found) == limit else None)
