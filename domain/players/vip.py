"""The VIP ladder: levels reached by accumulated XP (USD wagered on settled bets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# The rakeback levels of seed 002, with XP thresholds a casino would tune.
DEFAULT_LADDER = (
    ("Wood", Decimal(0)),
    ("Metal", Decimal(1_000)),
    ("Bronze", Decimal(5_000)),
    ("Silver", Decimal(25_000)),
    ("Gold", Decimal(100_000)),
    ("Platinum", Decimal(500_000)),
    ("Diamond", Decimal(2_500_000)),
    ("Beast", Decimal(10_000_000)),
)


@dataclass(frozen=True)
class VipLadder:
    levels: Sequence[tuple[str, Decimal]] = DEFAULT_LADDER

    def __post_init__(self) -> None:
        thresholds = [xp for _, xp in self.levels]
        if not self.levels or thresholds[0] != 0 or thresholds != sorted(set(thresholds)):
            raise ValueError("a VIP ladder starts at 0 XP and rises strictly")

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.levels]

    def level_for(self, xp: Decimal) -> str:
        reached = [name for name, threshold in self.levels if xp >= threshold]
        return reached[-1]

    def rank(self, level: str) -> int:
        """0 for the bottom level, rising by one per level."""
        return self.names.index(level)
