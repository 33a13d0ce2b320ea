"""Game: the catalogue entry a bet snapshots (RTP, category, provider)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import InvalidInput
from domain.kernel.ids import natural_id
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork

HUNDRED = Decimal(100)


class Game(LedgerAggregate):
    @staticmethod
    def create_id(game_id: str, **_: Any) -> UUID:
        return game_key(game_id)

    @event("Configured")
    def __init__(self, game_id: str, rtp: Decimal, category: str, provider: str,
                 house_game: bool, actor: str):
        self.game_id = game_id
        self._apply(rtp, category, provider, house_game)

    def settings(self) -> tuple[Decimal, str, str, bool]:
        return self.rtp, self.category, self.provider, self.house_game

    def reconfigure(self, rtp: Decimal, category: str, provider: str,
                    house_game: bool, actor: str) -> None:
        """Record new settings; the same settings again record nothing."""
        if (rtp, category, provider, house_game) != self.settings():
            self._reconfigured(rtp, category, provider, house_game, actor)

    @event("Reconfigured")
    def _reconfigured(self, rtp: Decimal, category: str, provider: str,
                      house_game: bool, actor: str) -> None:
        self._apply(rtp, category, provider, house_game)

    def _apply(self, rtp: Decimal, category: str, provider: str, house_game: bool) -> None:
        self.rtp = rtp
        self.category = category
        self.provider = provider
        self.house_game = house_game


def game_key(game_id: str) -> UUID:
    return natural_id("game", game_id)


def check_rtp(rtp: Decimal) -> Decimal:
    if not (rtp.is_finite() and 0 < rtp <= HUNDRED):
        raise InvalidInput("rtp: must be a percent in (0, 100]", field="rtp")
    if rtp.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidInput("rtp: at most 4 decimal places", field="rtp")
    return rtp


@dataclass(frozen=True)
class ConfigureGame:
    """PUT a game: idempotent by its content, so it needs no requestId."""

    kind: ClassVar[str] = "game"
    request_id: ClassVar[None] = None
    game_id: str
    rtp: Decimal
    category: str
    provider: str
    house_game: bool
    actor: str

    @property
    def partition(self) -> str:
        return f"game:{self.game_id}"

    def decide(self, uow: UnitOfWork) -> GameSettings:
        check_rtp(self.rtp)
        for field in ("game_id", "category", "provider"):
            if not getattr(self, field).strip():
                raise InvalidInput(f"{field}: must not be empty", field=field)
        settings = (self.rtp, self.category, self.provider, self.house_game)
        game = uow.find(game_key(self.game_id))
        if game is None:
            game = uow.add(Game(self.game_id, *settings, actor=self.actor))
        else:
            game.reconfigure(*settings, actor=self.actor)
        return GameSettings(self.game_id, game.rtp, game.category, game.provider,
                            game.house_game, game.version)


@command_result("game-settings")
@dataclass(frozen=True)
class GameSettings:
    game_id: str
    rtp: Decimal
    category: str
    provider: str
    house_game: bool
    version: int
