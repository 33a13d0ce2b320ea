"""Game sessions: the token a provider sends back with every wallet call.

A casino launches a game for a player and hands the provider a session token
that names one player, one currency and one game, and expires after
CASINO_LEDGER_GAME_SESSION_TTL seconds. It is a JWT signed with the ledger's
key, with its own audience, so neither a bearer token nor a session token can
pass for the other. An expired token still names its player: protocols accept
wins and rollbacks on it (they settle bets made while it was valid).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import jwt

from domain.kernel.clock import clock
from domain.kernel.text import check_id, is_id

AUDIENCE = "game-session"


class InvalidSession(Exception):
    """Not a session token of this ledger (forged, altered or of another kind)."""


@dataclass(frozen=True)
class GameSession:
    token: str
    player_id: str
    currency: str
    game_id: str
    expires_at: datetime

    @property
    def expired(self) -> bool:
        return clock.now() >= self.expires_at


class GameSessions:
    algorithm = "HS256"

    def __init__(self, key: str, ttl: int):
        self._key = key
        self.ttl = ttl

    def open(self, player_id: str, currency: str, game_id: str) -> GameSession:
        for value, field in ((player_id, "playerId"), (game_id, "gameId")):
            check_id(value, field)
        now = int(clock.now().timestamp())
        claims = {"aud": AUDIENCE, "sub": player_id, "cur": currency, "game": game_id,
                  "iat": now, "exp": now + self.ttl, "jti": secrets.token_hex(8)}
        return self.read(jwt.encode(claims, self._key, algorithm=self.algorithm))

    def read(self, token: str) -> GameSession:
        """The session a token names, expired or not."""
        try:
            claims = jwt.decode(token, self._key, algorithms=[self.algorithm],
                                audience=AUDIENCE, options={
                                    "verify_exp": False,
                                    "require": ["aud", "sub", "cur", "game", "exp"]})
        except jwt.PyJWTError as error:
            raise InvalidSession(str(error)) from None
        if not (is_id(claims["sub"]) and is_id(claims["game"])
                and isinstance(claims["cur"], str) and isinstance(claims["exp"], int)):
            raise InvalidSession("malformed claims")
        return GameSession(token, claims["sub"], claims["cur"], claims["game"],
                           datetime.fromtimestamp(claims["exp"], timezone.utc))
