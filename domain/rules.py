"""The business rules the domain reads from configuration, in one value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.brands.model import DEFAULT_BRAND
from domain.cashback.rules import CashbackRules
from domain.cashier.rules import CashierRules
from domain.compliance.rules import ComplianceRules
from domain.kernel.money import Currencies
from domain.players.vip import VipLadder

FUNDING_POLICIES = ("cash_first", "bonus_first")
UNCLAIMED_POLICIES = ("forfeit", "carry")
CENT = Decimal("0.01")
BUCKETS = ("INSTANT", "DAILY", "WEEKLY", "MONTHLY")

# Seed 002: the share of GGR returned by VIP level, and the bucket split.
DEFAULT_LOYALTY = {
    "Wood": Decimal("0"), "Metal": Decimal("0.25"), "Bronze": Decimal("0.275"),
    "Silver": Decimal("0.4"), "Gold": Decimal("0.5"), "Platinum": Decimal("0.6"),
    "Diamond": Decimal("0.7"), "Beast": Decimal("0.8"),
}
DEFAULT_SPLIT = {"INSTANT": Decimal("0.1"), "DAILY": Decimal("0.2"),
                 "WEEKLY": Decimal("0.3"), "MONTHLY": Decimal("0.4")}


@dataclass(frozen=True)
class RakebackRules:
    loyalty: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_LOYALTY))
    split: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_SPLIT))
    provider_commission: bool = False
    provider_commission_rate: Decimal = Decimal("0.15")
    refund_clawback: bool = False
    unclaimed: str = "forfeit"
    double_rtp: Decimal = Decimal(1)
    flip_secret: bytes = b"development flip secret"

    def __post_init__(self) -> None:
        if self.unclaimed not in UNCLAIMED_POLICIES:
            raise ValueError(f"unclaimed must be one of {UNCLAIMED_POLICIES}")
        if tuple(self.split) != BUCKETS or sum(self.split.values()) != 1:
            raise ValueError(f"the split names {BUCKETS} in order and sums to 1")


@dataclass(frozen=True)
class Rules:
    currencies: Currencies
    funding: str = "cash_first"
    max_stake: Mapping[str, Decimal] = field(default_factory=dict)
    ladder: VipLadder = field(default_factory=VipLadder)
    usd_rates: Mapping[str, Decimal] = field(default_factory=dict)
    rakeback: RakebackRules = field(default_factory=RakebackRules)
    cashback: CashbackRules = field(default_factory=CashbackRules)
    cashier: CashierRules = field(default_factory=CashierRules)
    compliance: ComplianceRules = field(default_factory=ComplianceRules)
    # Brand -> its own rules (its configuration over the defaults), and brand
    # -> company; the default brand, of the default company, has these rules.
    brands: Mapping[str, Rules] = field(default_factory=dict)
    companies: Mapping[str, str] = field(default_factory=lambda: {
        DEFAULT_BRAND: DEFAULT_BRAND})

    def __post_init__(self) -> None:
        if self.funding not in FUNDING_POLICIES:
            raise ValueError(f"funding must be one of {FUNDING_POLICIES}")

    def for_brand(self, brand: str | None) -> Rules:
        """The rules of `brand` (None, or a brand without its own: these)."""
        return self.brands.get(brand, self) if brand else self
