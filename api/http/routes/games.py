"""The game catalogue: each game's RTP, category and provider, which bets snapshot."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Response

from api.http.schemas.common import PathId
from api.http.auth import Principal, Role
from api.http.schemas.bets import GamePublic, GamePut
from api.http.deps import ServicesDep, log_position, require
from api.http.readers import figures
from api.http.strict_json import StrictJsonRoute
from domain.kernel.errors import NotFound
from domain.betting.games import ConfigureGame, game_key

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin/games", tags=["games"])


@router.put("/{game_id}", response_model=GamePublic)
def configure(game_id: PathId, body: GamePut, services: ServicesDep, response: Response,
              principal: Principal = require(Role.OPERATOR)) -> GamePublic:
    """Add or reconfigure a game; the same settings again record nothing.

    Bets already placed keep the settings they were placed under.
    """
    outcome = services.ledger.execute(ConfigureGame(
        game_id=game_id, rtp=body.rtp, category=body.category, provider=body.provider,
        house_game=body.house_game, actor=principal.subject))
    log_position(response, outcome.position)
    return GamePublic.model_validate(figures(outcome.result))


@router.get("/{game_id}", response_model=GamePublic,
            dependencies=[require(Role.OPERATOR)])
def read(game_id: PathId, services: ServicesDep) -> GamePublic:
    """The game as configured now (read from its own record, so never behind)."""
    try:
        game = services.ledger.repository.get(game_key(game_id))
    except AggregateNotFoundError:
        raise NotFound(f"no game {game_id!r} in the catalogue", field="gameId") from None
    return GamePublic(game_id=game.game_id, rtp=game.rtp, category=game.category,
                      provider=game.provider, house_game=game.house_game,
                      version=game.version)
