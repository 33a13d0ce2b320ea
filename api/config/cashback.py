"""The [cashback] and [bonus] sections of the business configuration.

Documented in docs/configuration.md and docs/cashback.md. Giving
`[cashback.programs]` replaces the default program as a whole; a program's
`tiers` and `levels`, when given, replace the defaults of seed 000.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import Field

from api.config.types import Amount, Section
from domain.cashback.rules import (
    DEFAULT_LEVELS,
    DEFAULT_TIERS,
    DEFAULT_WEIGHTS,
    CashbackProgram,
    CashbackRules,
    CashbackTier,
)


class TierConfig(Section):
    percent: Amount = Field(ge=0, le=100)
    max: Amount | None = Field(default=None, gt=0)
    min: Amount = Field(default=Decimal(0), ge=0)
    wagering: Amount = Field(default=Decimal(1), ge=0, le=100)


def default_tiers() -> dict[str, TierConfig]:
    return {name: TierConfig(percent=t.percent, max=t.max_usd, min=t.min_usd,
                             wagering=t.wagering) for name, t in DEFAULT_TIERS.items()}


class ProgramConfig(Section):
    model: Literal["net_loss", "gross_bet", "realtime"] = "net_loss"
    period: Literal["daily", "weekly", "monthly"] = "weekly"
    categories: list[str] | None = None
    bonuses_reduce_base: bool = False
    tiers: dict[str, TierConfig] = Field(default_factory=default_tiers)
    levels: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_LEVELS))

    def program(self, name: str) -> CashbackProgram:
        return CashbackProgram(
            name, model=self.model, period=self.period,
            categories=None if self.categories is None else frozenset(self.categories),
            bonuses_reduce_base=self.bonuses_reduce_base,
            tiers={n: CashbackTier(t.percent, t.max, t.min, t.wagering)
                   for n, t in self.tiers.items()},
            levels=dict(self.levels))


class CashbackConfig(Section):
    programs: dict[str, ProgramConfig] = Field(
        default_factory=lambda: {"vip": ProgramConfig()})


class BonusConfig(Section):
    weights: dict[str, Amount] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    other_weight: Amount = Field(default=Decimal(1), ge=0, le=1)
    expiry_days: int | None = Field(default=None, ge=1, le=3650)


def cashback_rules(cashback: CashbackConfig, bonus: BonusConfig,
                   levels: Sequence[str]) -> CashbackRules:
    """The domain's rules; every program's levels must be levels of the ladder."""
    for name, program in cashback.programs.items():
        unknown = set(program.levels) - set(levels)
        if unknown:
            raise ValueError(f"cashback.programs.{name}.levels names levels not on the "
                             f"VIP ladder: {sorted(unknown)}")
        if not name.replace("-", "").isalnum() or name != name.lower():
            raise ValueError(f"cashback program name {name!r}: lower-case letters, "
                             "digits and '-'")
    if any(not 0 <= w <= 1 for w in bonus.weights.values()):
        raise ValueError("bonus.weights are in [0, 1]")
    return CashbackRules(
        programs={name: p.program(name) for name, p in cashback.programs.items()},
        weights=dict(bonus.weights), other_weight=bonus.other_weight,
        expiry_days=bonus.expiry_days)
