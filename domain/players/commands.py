"""Back-office commands on a player: responsible-gaming limits and VIP level.

Both are PUTs: idempotent by their content, so they carry no requestId; the
same values again record nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.errors import InvalidInput


@command_result("player-limits")
@dataclass(frozen=True)
class PlayerLimits:
    player_id: str
    self_excluded_until: datetime | None
    daily_loss_limits: dict[str, Decimal]


@command_result("vip-status")
@dataclass(frozen=True)
class VipStatus:
    """A player's level, rank, XP, and what the next level needs."""

    player_id: str
    level: str
    rank: int
    xp: Decimal
    next_level: str | None
    next_level_xp: Decimal | None


@dataclass(frozen=True)
class SetLimits:
    kind: ClassVar[str] = "limits"
    request_id: ClassVar[None] = None
    player_id: str
    self_excluded_until: datetime | None
    daily_loss_limits: tuple[tuple[str, Decimal], ...]
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> PlayerLimits:
        limits = {currency: uow.currencies.check(amount, currency, "dailyLossLimits")
                  for currency, amount in self.daily_loss_limits}
        player = uow.player(self.player_id)
        if (player.self_excluded_until, player.daily_loss_limits) != (
                self.self_excluded_until, limits):
            if not self.reason.strip():
                raise InvalidInput("reason: must not be empty", field="reason")
            player.set_limits(self_excluded_until=self.self_excluded_until,
                              daily_loss_limits=limits, actor=self.actor,
                              reason=self.reason)
        return PlayerLimits(self.player_id, player.self_excluded_until,
                            player.daily_loss_limits)


@dataclass(frozen=True)
class SetVipLevel:
    kind: ClassVar[str] = "vip-level"
    request_id: ClassVar[None] = None
    player_id: str
    level: str
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> VipStatus:
        player = uow.player(self.player_id)
        player.set_level(self.level, ladder=uow.rules.ladder, actor=self.actor,
                         reason=self.reason)
        return vip_status(player, uow.rules.ladder)


def vip_status(player: Any, ladder: Any) -> VipStatus:
    rank = ladder.rank(player.level)
    following = ladder.levels[rank + 1] if rank + 1 < len(ladder.levels) else None
    return VipStatus(player.player_id, player.level, rank, player.xp,
                     following[0] if following else None,
                     following[1] if following else None)
