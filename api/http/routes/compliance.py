"""A player's compliance standing: KYC status, limit profile and country,
responsible-gaming limits (set by compliance, or by the player), time-out and
self-exclusion. Review (blocked attempts, signals, holds, held deposits) is in
compliance_review.py, the KYC provider's webhook in kyc_webhook.py.

The rules and their effect: docs/compliance.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Response

from api.http.auth import Principal, Role
from api.http.deps import OwnPlayer, ServicesDep, log_position, require
from api.http.readers import figures
from api.http.schemas.common import PathId
from api.http.schemas.compliance import (
    KycPut,
    ProfilePut,
    RgLimitPut,
    SelfExclusionCreate,
    StandingPublic,
    TimeOutCreate,
)
from api.http.strict_json import StrictJsonRoute
from domain.compliance.commands import (
    SelfExclude,
    SetKycStatus,
    SetProfile,
    SetRgLimit,
    TakeTimeOut,
)
from domain.compliance.results import standing_of
from domain.players.model import Player, player_key

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["compliance"])
ADMIN = "/admin/compliance/players/{player_id}"
Compliance = Annotated[Principal, require(Role.COMPLIANCE)]


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
