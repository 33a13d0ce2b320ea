"""The business rules the domain reads from configuration, in one value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from domain.money import Currencies
from domain.vip import VipLadder

FUNDING_POLICIES = ("cash_first", "bonus_first")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    currencies: Currencies
    funding: str = "cash_first"
    max_stake: Mapping[str, Decimal] = field(default_factory=dict)
    ladder: VipLadder = field(default_factory=VipLadder)
    usd_rates: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.funding not in FUNDING_POLICIES:
            raise ValueError(f"funding must be one of {FUNDING_POLICIES}")

    def in_usd(self, amount: Decimal, currency: str) -> Decimal:
        """The amount in USD at the configured rate (0 where no rate is set)."""
        rate = self.usd_rates.get(currency, Decimal(0))
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
