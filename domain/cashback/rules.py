"""Cashback and bonus-wagering rules: programs, tiers, and how stakes count.

A program refunds part of each player's loss per period (seed 000, DESIGN.md
section 3). Its tier comes from the player's VIP level by name (Bronze ->
bronze, ...); a level with no tier gets nothing. Limits (`max_usd`,
`min_usd`) are in USD, converted to the wallet's currency at the FX rates in
force when the period is calculated, because one tier table serves every
currency. The wagering rules say how much of a settled stake counts towards
a bonus grant's requirement, by game category.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

MODELS = ("net_loss", "gross_bet", "realtime")
PERIODS = {"daily": "day", "weekly": "week", "monthly": "month"}
ONE = Decimal(1)


@dataclass(frozen=True)
class CashbackTier:
    percent: Decimal
    max_usd: Decimal | None = None
    min_usd: Decimal = Decimal(0)
    wagering: Decimal = ONE

    def __post_init__(self) -> None:
        if not 0 <= self.percent <= 100:
            raise ValueError("a tier's percent is in [0, 100]")
        if self.max_usd is not None and self.max_usd < self.min_usd:
            raise ValueError("a tier's maximum is not below its minimum")
        if self.min_usd < 0 or self.wagering < 0:
            raise ValueError("a tier's minimum and wagering are not negative")


DEFAULT_TIERS = {
    "bronze": CashbackTier(Decimal(5), Decimal(100), wagering=ONE),
    "silver": CashbackTier(Decimal(10), Decimal(500), wagering=ONE),
    "gold": CashbackTier(Decimal(15), Decimal(2000), wagering=ONE),
    "platinum": CashbackTier(Decimal(20), None, wagering=Decimal(0)),
}
DEFAULT_LEVELS = {"Bronze": "bronze", "Silver": "silver", "Gold": "gold",
                  "Platinum": "platinum", "Diamond": "platinum", "Beast": "platinum"}


@dataclass(frozen=True)
class CashbackProgram:
    name: str
    model: str = "net_loss"
    period: str = "weekly"
    # None: every category is eligible.
    categories: frozenset[str] | None = None
    bonuses_reduce_base: bool = False
    tiers: Mapping[str, CashbackTier] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    levels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LEVELS))

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"a program's model is one of {MODELS}")
        if self.period not in PERIODS:
            raise ValueError(f"a program's period is one of {tuple(PERIODS)}")
        unknown = set(self.levels.values()) - set(self.tiers)
        if unknown:
            raise ValueError(f"program {self.name}: levels name unknown tiers "
                             f"{sorted(unknown)}")

    @property
    def kind(self) -> str:
        """The period kind (day, week, month) its figures are kept and paid by."""
        return PERIODS[self.period]

    def tier_of(self, level: str) -> tuple[str, CashbackTier] | None:
        name = self.levels.get(level)
        return None if name is None else (name, self.tiers[name])

    def eligible(self, category: str) -> bool:
        return self.categories is None or category in self.categories


DEFAULT_WEIGHTS = {"slots": ONE, "table": Decimal("0.1"), "live": Decimal("0.1")}


@dataclass(frozen=True)
class CashbackRules:
    programs: Mapping[str, CashbackProgram] = field(default_factory=lambda: {
        "vip": CashbackProgram("vip")})
    # Share of a settled stake that counts towards a bonus's wagering, by category.
    weights: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    other_weight: Decimal = ONE
    # Days a bonus grant stays open before what is left is forfeited (None: never).
    expiry_days: int | None = None

    def weight(self, category: str) -> Decimal:
        return self.weights.get(category, self.other_weight)

    def of_model(self, *models: str) -> list[CashbackProgram]:
        return [p for p in self.programs.values() if p.model in models]

    @property
    def tallied_kinds(self) -> list[str]:
        """The period kinds whose plays are tallied (those of the period programs)."""
        return sorted({p.kind for p in self.of_model("net_loss", "gross_bet")})
