"""Compliance: a player's standing (KYC, profile, country, responsible-gaming
limits, time-out, holds), the blocked attempts and the abuse signals; the
player's own limits, time-out and self-exclusion; a KYC provider's webhook.

The rules and their effect: docs/compliance.md.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any, Literal

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from pydantic import ValidationError

from api.http.auth import Principal, Role
from api.http.deps import (
    ConsistentRead,
    OwnPlayer,
    ServicesDep,
    log_position,
    position_cursor,
    require,
)
from api.http.readers import figures
from api.http.schemas.common import ErrorPublic, PathId, PlayerIdQuery, PositionCursor
from api.http.schemas.compliance import (
    BlockedPage,
    DepositRelease,
    DepositReleasePublic,
    KycEvent,
    KycPut,
    ProfilePut,
    RgLimitPut,
    SelfExclusionCreate,
    SignalPage,
    StandingPublic,
    TimeOutCreate,
)
from api.http.strict_json import StrictJsonRoute
from domain.compliance.commands import (
    KycWebhook,
    LiftReviewHold,
    SelfExclude,
    SetKycStatus,
    SetProfile,
    SetRgLimit,
    TakeTimeOut,
    standing_of,
)
from domain.compliance.deposits import ReleaseDeposit
from domain.kernel.errors import InvalidInput
from domain.players.model import Player, player_key

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["compliance"])
ADMIN = "/admin/compliance/players/{player_id}"
Limit = Annotated[int, Query(ge=1, le=500)]
Compliance = Annotated[Principal, require(Role.COMPLIANCE)]
NOT_FOUND: dict[int | str, dict] = {404: {"model": ErrorPublic, "description": "No such deposit"}}


def shown(outcome: Any, response: Response) -> StandingPublic:
    log_position(response, outcome.position)
    return StandingPublic.model_validate(figures(outcome.result))


@router.get(ADMIN, response_model=StandingPublic,
            dependencies=[require(Role.COMPLIANCE)])
def standing(player_id: PathId, services: ServicesDep) -> StandingPublic:
    """The player's standing as the write side holds it now."""
    return read_standing(services, player_id)


@router.put(f"{ADMIN}/kyc", response_model=StandingPublic, openapi_extra={
    "x-semantic-refusals": {"evidence": "blank"}})
def set_kyc(player_id: PathId, body: KycPut, services: ServicesDep, response: Response,
            principal: Compliance) -> StandingPublic:
    """Set the KYC status with a reference to its evidence (recorded each time)."""
    return shown(services.ledger.execute(SetKycStatus(
        player_id, f"staff:{principal.subject}", body.status, body.evidence)), response)


@router.put(f"{ADMIN}/profile", response_model=StandingPublic, openapi_extra={
    "x-semantic-refusals": {"reason": "blank while the profile or country changes"}})
def set_profile(player_id: PathId, body: ProfilePut, services: ServicesDep,
                response: Response, principal: Compliance) -> StandingPublic:
    """Choose a limit profile by hand (null: by country, then VIP level) and the country."""
    return shown(services.ledger.execute(SetProfile(
        player_id, f"staff:{principal.subject}", body.profile, body.country,
        body.reason)), response)


@router.put(f"{ADMIN}/rg-limits", response_model=StandingPublic)
def set_limit_by_staff(player_id: PathId, body: RgLimitPut, services: ServicesDep,
                       response: Response, principal: Compliance) -> StandingPublic:
    """A deposit, loss or wager limit; a raise waits out the cooling-off."""
    return shown(set_limit(services, player_id, body,
                                     f"staff:{principal.subject}"), response)


@router.post(f"{ADMIN}/review-holds/{{scope}}/lift", response_model=StandingPublic)
def lift_hold(player_id: PathId, scope: Literal["withdrawals", "bonus"], services: ServicesDep, response: Response,
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


# The player's own.

@router.get("/players/{player_id}/responsible-gaming", response_model=StandingPublic)
def own_standing(player_id: PathId, services: ServicesDep,
                 principal: OwnPlayer) -> StandingPublic:
    return read_standing(services, player_id)


@router.put("/players/{player_id}/responsible-gaming/limits", response_model=StandingPublic)
def set_own_limit(player_id: PathId, body: RgLimitPut, services: ServicesDep,
                  response: Response, principal: OwnPlayer) -> StandingPublic:
    """Lower a limit at once; raise or remove one after the cooling-off."""
    return shown(set_limit(services, player_id, body, f"player:{player_id}"),
                 response)


@router.post("/players/{player_id}/responsible-gaming/time-out",
             response_model=StandingPublic, openapi_extra={"x-semantic-refusals": {
                 "hours": "not one of the configured time-out lengths"}})
def time_out(player_id: PathId, body: TimeOutCreate, services: ServicesDep,
             response: Response, principal: OwnPlayer) -> StandingPublic:
    """A break of one of the configured lengths (24 h, 7 or 30 days by default)."""
    return shown(services.ledger.execute(TakeTimeOut(
        body.request_id, player_id, body.hours, f"player:{player_id}")), response)


@router.post("/players/{player_id}/responsible-gaming/self-exclusion",
             response_model=StandingPublic, openapi_extra={
                 "x-semantic-refusals": {"until": "not in the future"}})
def self_exclude(player_id: PathId, body: SelfExclusionCreate, services: ServicesDep,
                 response: Response, principal: OwnPlayer) -> StandingPublic:
    """Exclude oneself until a time; it can be lengthened, never shortened here."""
    return shown(services.ledger.execute(SelfExclude(
        player_id, f"player:{player_id}", body.until, body.reason)), response)


@router.post("/webhooks/kyc/{provider}", response_model=StandingPublic, responses={
    401: {"model": ErrorPublic, "description": "The signature does not verify"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": KycEvent.model_json_schema()}}}})
async def kyc_webhook(provider: PathId, request: Request, services: ServicesDep,
                      response: Response,
                      signature: Annotated[str, Header(alias="X-Signature")] = "",
                      ) -> StandingPublic:
    """A KYC provider's status change, signed `X-Signature: sha256=<hex HMAC-SHA256
    of the body>` with its configured secret; its eventId makes a replay harmless."""
    secret = services.settings.kyc_webhook_secrets.get(provider)
    body = await request.body()
    if secret is None or not hmac.compare_digest(signature, "sha256=" + hmac.new(
            secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()):
        raise HTTPException(401, "the signature does not verify")
    try:
        event = KycEvent.model_validate_json(body)
    except ValidationError as error:
        raise InvalidInput(f"body: {error.errors()[0]['msg']}") from None
    outcome = await services.ledger.execute_async(KycWebhook(
        event.event_id, provider, event.player_id, event.status, event.evidence))
    return shown(outcome, response)


def set_limit(services: Any, player_id: str, body: RgLimitPut, actor: str) -> Any:
    currencies = services.ledger.currencies
    amount = (None if body.amount is None
              else currencies.parse(body.amount, body.currency, "amount", zero=True))
    return services.ledger.execute(SetRgLimit(player_id, actor, body.kind, body.period,
                                              body.currency, amount))


def read_standing(services: Any, player_id: str) -> StandingPublic:
    ledger = services.ledger
    try:
        player = ledger.repository.get(player_key(player_id))
    except AggregateNotFoundError:
        player = Player(player_id, level=ledger.rules.ladder.names[0])
    return StandingPublic.model_validate(figures(standing_of(ledger.rules.compliance,
                                                             player)))
