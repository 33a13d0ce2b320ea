"""Launching a game: the session token the provider will send back.

The player, or an operator for them, opens a session for one game and one
currency; the token expires after CASINO_LEDGER_GAME_SESSION_TTL seconds
(api/http/providers/sessions.py).
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, HTTPException

from api.http.auth import Role
from api.http.deps import CurrentPrincipal, ServicesDep
from api.http.schemas.common import CurrencyCode, Id, PathId, RequestSchema, Schema
from api.http.strict_json import StrictJsonRoute
from domain.betting.games import game_key
from domain.kernel.errors import InvalidInput, NotFound

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/players", tags=["games"])


class GameSessionCreate(RequestSchema):
    game_id: Id
    currency: CurrencyCode


class GameSessionPublic(Schema):
    token: str
    player_id: str
    game_id: str
    currency: str
    expires_at: datetime


@router.post("/{player_id}/game-sessions", response_model=GameSessionPublic)
def open_session(player_id: PathId, body: GameSessionCreate, services: ServicesDep,
                 principal: CurrentPrincipal) -> GameSessionPublic:
    """A session token naming this player, one game of the catalogue and one currency."""
    own = principal.role == Role.PLAYER and principal.subject == player_id
    if not (own or principal.role == Role.OPERATOR):
        raise HTTPException(403, "only the player or an operator may launch a game")
    if body.currency not in services.ledger.currencies:
        raise InvalidInput(f"currency: {body.currency!r} is not a currency", field="currency")
    try:
        services.ledger.repository.get(game_key(body.game_id))
    except AggregateNotFoundError:
        raise NotFound(f"no game {body.game_id!r} in the catalogue", field="gameId") from None
    session = services.game_sessions.open(player_id, body.currency, body.game_id)
    return GameSessionPublic(token=session.token, player_id=session.player_id,
                             game_id=session.game_id, currency=session.currency,
                             expires_at=session.expires_at)
