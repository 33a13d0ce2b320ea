"""A player's brand, personal data and rewards feed (docs/brands.md, docs/privacy.md).

The brand is set once (operators); the profile is written by operators and
compliance, read by the player and staff, and erased by compliance only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.http.auth import Principal, Role
from api.http.deps import (
    PlayerReader,
    ServicesDep,
    consistent,
    log_position,
    position_cursor,
    reader,
    require,
)
from api.http.readers import figures
from api.http.schemas.common import PathId, PositionCursor
from api.http.schemas.privacy import (
    BrandPublic,
    BrandPut,
    ErasurePost,
    ProfilePublic,
    ProfilePut,
    RewardPage,
    RewardPublic,
)
from api.http.strict_json import StrictJsonRoute
from domain.brands.commands import RegisterPlayer

router = APIRouter(route_class=StrictJsonRoute, tags=["players"])
# Personal data: the player, and the staff who serve or check them (not finance).
profile_reader = reader(Role.OPERATOR, Role.COMPLIANCE)


@router.put("/v1/admin/players/{player_id}/brand", response_model=BrandPublic)
def set_brand(player_id: PathId, body: BrandPut, services: ServicesDep, response: Response,
              principal: Principal = require(Role.OPERATOR)) -> BrandPublic:
    """Register the player in a brand: once, for good (another brand is a 409)."""
    outcome = services.ledger.execute(RegisterPlayer(player_id, body.brand))
    log_position(response, outcome.position)
    return BrandPublic.model_validate(figures(outcome.result))


@router.put("/v1/admin/players/{player_id}/profile", response_model=ProfilePublic)
def put_profile(player_id: PathId, body: ProfilePut, services: ServicesDep,
                response: Response,
                principal: Principal = require(Role.OPERATOR, Role.COMPLIANCE),
                ) -> ProfilePublic:
    """Record the profile, sealed with the player's data key (the same again: no event)."""
    fields = body.model_dump(mode="json", by_alias=True)
    outcome = services.privacy.record(player_id, fields)
    log_position(response, outcome.position)
    return ProfilePublic(player_id=player_id, erased=False, profile=fields)


@router.post("/v1/admin/players/{player_id}/erasure", response_model=ProfilePublic)
def erase(player_id: PathId, body: ErasurePost, services: ServicesDep, response: Response,
          principal: Principal = require(Role.COMPLIANCE)) -> ProfilePublic:
    """Erase the player's personal data: their data key is destroyed for good."""
    outcome = services.privacy.erase(player_id, principal.subject, body.reason)
    log_position(response, outcome.position)
    return ProfilePublic(player_id=player_id, erased=True, profile=None)


@router.get("/v1/players/{player_id}/profile", response_model=ProfilePublic,
            dependencies=[Depends(profile_reader), consistent("profiles")])
def get_profile(player_id: PathId, services: ServicesDep) -> ProfilePublic:
    return ProfilePublic(player_id=player_id, **services.privacy.read(player_id))


@router.get("/v1/players/{player_id}/rewards", response_model=RewardPage,
            dependencies=[consistent("rewards")])
def rewards(player_id: PathId, services: ServicesDep, principal: PlayerReader,
            cursor: PositionCursor = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> RewardPage:
    """Everything the player received, oldest first (docs/brands.md, the rewards feed)."""
    rows = services.rewards.for_player(player_id, position_cursor(cursor, "rewards"),
                                       limit)
    currencies = services.ledger.currencies
    return RewardPage(items=[RewardPublic.model_validate(currencies.at_precision(r, ("amount",)))
                             for r in rows],
                      next_cursor=str(rows[-1]["position"]) if len(rows) == limit else None)
