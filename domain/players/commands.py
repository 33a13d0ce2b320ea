"""Back-office commands on a player: responsible-gaming limits and VIP level.

Both are PUTs: idempotent by their content, so they carry no requestId; the
same values again record nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from domain.kernel.errors import InvalidInput
from domain.commanding.unit_of_work import UnitOfWork


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

    def decide(self, uow: UnitOfWork) -> dict[str, Any]:
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
        return {"playerId": self.player_id,
                "selfExcludedUntil": player.self_excluded_until,
                "dailyLossLimits": player.daily_loss_limits}


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

    def decide(self, uow: UnitOfWork) -> dict[str, Any]:
        player = uow.player(self.player_id)
        player.set_level(self.level, ladder=uow.rules.ladder, actor=self.actor,
                         reason=self.reason)
        return vip_status(player, uow.rules.ladder)


def vip_status(player: Any, ladder: Any) -> dict[str, Any]:
    """A player's level, rank, XP, and what the next level needs."""
    rank = ladder.rank(player.level)
    following = ladder.levels[rank + 1] if rank + 1 < len(ladder.levels) else None
    return {"playerId": player.player_id, "level": player.level, "rank": rank,
            "xp": player.xp, "nextLevel": following[0] if following else None,
            "nextLevelXp": following[1] if following else None}
