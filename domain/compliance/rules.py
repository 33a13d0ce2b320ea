"""Compliance configuration as the domain reads it: KYC tiers, limit profiles,
responsible-gaming timing, country rules and abuse-signal thresholds.

A limit table maps a currency code, or `USD` (valued at the rate in force),
to a maximum; a currency named in the table wins over its USD line. Checks
read only this value and the player record a bet already loads, so they cost
no query (`enabled = false` turns every check off, for the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

Limits = Mapping[str, Decimal]
KYC_STATUSES = ("none", "basic", "verified", "enhanced")
RG_KINDS = ("deposit", "loss", "wager")
RG_PERIODS = ("day", "week", "month")
HOLD_SCOPES = ("withdrawals", "bonus")


@dataclass(frozen=True)
class KycTier:
    deposit: Limits = field(default_factory=dict)  # per UTC day
    withdrawal: Limits = field(default_factory=dict)  # per UTC day
    max_bet: Limits = field(default_factory=dict)


@dataclass(frozen=True)
class LimitProfile:
    max_stake: Limits = field(default_factory=dict)
    max_payout: Limits = field(default_factory=dict)  # per round, its bets together
    withdrawal_per_day: Limits = field(default_factory=dict)


NO_TIER, NO_PROFILE = KycTier(), LimitProfile()  # no limit at all (shared, never changed)


@dataclass(frozen=True)
class SignalRules:
    """Thresholds of the abuse signals (docs/compliance.md), and what they hold."""

    enabled: bool = False
    opposite_bets: bool = True
    min_stake_run: int = 20  # settled bets in a row at the minimum stake
    min_stake: Limits = field(default_factory=dict)
    weight_drop: Decimal = Decimal("0.5")  # a weight at most this x the last one
    void_burst: int = 5  # VOIDs or rollbacks ...
    void_window: timedelta = timedelta(minutes=10)  # ... within this window
    hold: frozenset[str] = frozenset()  # HOLD_SCOPES a signal holds


@dataclass(frozen=True)
class ComplianceRules:
    enabled: bool = True
    kyc: Mapping[str, KycTier] = field(default_factory=dict)
    profiles: Mapping[str, LimitProfile] = field(default_factory=dict)
    profile_by_level: Mapping[str, str] = field(default_factory=dict)
    profile_by_country: Mapping[str, str] = field(default_factory=dict)
    cooling_off: timedelta = timedelta(hours=24)
    time_outs: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(days=7),
                                        timedelta(days=30))
    blocked_by_provider: Mapping[str, frozenset[str]] = field(default_factory=dict)
    blocked_by_game: Mapping[str, frozenset[str]] = field(default_factory=dict)
    signals: SignalRules = field(default_factory=SignalRules)

    def tier(self, status: str) -> KycTier:
        return self.kyc.get(status) or NO_TIER

    def profile_name(self, chosen: str | None, level: str, country: str | None) -> str:
        """By hand first, then by country, then by VIP level, else DEFAULT."""
        return (chosen or self.profile_by_country.get(country or "")
                or self.profile_by_level.get(level) or "DEFAULT")

    def profile(self, name: str) -> LimitProfile:
        return self.profiles.get(name) or NO_PROFILE


def limit_of(limits: Limits, currency: str,
             rate: Callable[[], Decimal | None]) -> Decimal | None:
    """The table's maximum in `currency`: its own line, or the USD line at the
    rate in force (asked for only then); no rate, no USD limit."""
    if currency in limits:
        return limits[currency]
    usd = limits.get("USD")
    if usd is None:
        return None
    found = rate()
    return usd / found if found else None
