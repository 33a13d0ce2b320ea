"""The [compliance] section of the business configuration (docs/compliance.md).

Limit tables map a currency code or `USD` to a maximum, as strings:
`[compliance.kyc.basic] withdrawal = { USD = "2000" }`.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from api.config.types import Amount, Section
from domain.compliance.rules import (
    HOLD_SCOPES,
    KYC_STATUSES,
    ComplianceRules,
    KycTier,
    LimitProfile,
    SignalRules,
)

Table = dict[str, Amount]


class KycTierConfig(Section):
    deposit: Table = Field(default_factory=dict)
    withdrawal: Table = Field(default_factory=dict)
    max_bet: Table = Field(default_factory=dict)


class ProfileConfig(Section):
    max_stake: Table = Field(default_factory=dict)
    max_payout: Table = Field(default_factory=dict)
    withdrawal_per_day: Table = Field(default_factory=dict)


class SignalsConfig(Section):
    enabled: bool = False  # the reaction writes per settlement: on by choice
    opposite_bets: bool = True
    min_stake_run: int = Field(default=20, ge=2)
    min_stake: Table = Field(default_factory=dict)
    weight_drop: Amount = Field(default=SignalRules.weight_drop, gt=0, lt=1)
    void_burst: int = Field(default=5, ge=2)
    void_window_minutes: int = Field(default=10, gt=0)
    hold: list[str] = Field(default_factory=list)

    @field_validator("hold")
    @classmethod
    def _scopes(cls, value: list[str]) -> list[str]:
        if set(value) - set(HOLD_SCOPES):
            raise ValueError(f"hold names scopes among {HOLD_SCOPES}")
        return value


class ComplianceConfig(Section):
    enabled: bool = True
    kyc: dict[str, KycTierConfig] = Field(default_factory=dict)
    profiles: dict[str, ProfileConfig] = Field(default_factory=lambda: {
        name: ProfileConfig() for name in ("DEFAULT", "VIP_A", "VIP_B", "ULTRA")})
    profile_by_level: dict[str, str] = Field(default_factory=dict)
    profile_by_country: dict[str, str] = Field(default_factory=dict)
    cooling_off_hours: int = Field(default=24, ge=0)
    time_out_hours: list[int] = Field(default_factory=lambda: [24, 168, 720], min_length=1)
    blocked_countries: dict[str, list[str]] = Field(default_factory=dict)  # provider
    blocked_countries_by_game: dict[str, list[str]] = Field(default_factory=dict)
    signals: SignalsConfig = Field(default_factory=SignalsConfig)

    @field_validator("kyc")
    @classmethod
    def _statuses(cls, value: dict[str, KycTierConfig]) -> dict[str, KycTierConfig]:
        if set(value) - set(KYC_STATUSES):
            raise ValueError(f"kyc names statuses among {KYC_STATUSES}")
        return value

    def currencies(self) -> set[str]:
        """Every currency a limit table names (USD aside), for the config's check."""
        tables = [t for tier in self.kyc.values()
                  for t in (tier.deposit, tier.withdrawal, tier.max_bet)]
        tables += [t for p in self.profiles.values()
                   for t in (p.max_stake, p.max_payout, p.withdrawal_per_day)]
        return {c for table in [*tables, self.signals.min_stake] for c in table} - {"USD"}

    def rules(self) -> ComplianceRules:
        unknown = (set(self.profile_by_level.values())
                   | set(self.profile_by_country.values())) - set(self.profiles)
        if unknown:
            raise ValueError(f"compliance profiles {sorted(unknown)} are not configured")
        s = self.signals
        return ComplianceRules(
            enabled=self.enabled,
            kyc={k: KycTier(t.deposit, t.withdrawal, t.max_bet) for k, t in self.kyc.items()},
            profiles={k: LimitProfile(p.max_stake, p.max_payout, p.withdrawal_per_day)
                      for k, p in self.profiles.items()},
            profile_by_level=self.profile_by_level,
            profile_by_country=self.profile_by_country,
            cooling_off=timedelta(hours=self.cooling_off_hours),
            time_outs=tuple(timedelta(hours=h) for h in self.time_out_hours),
            blocked_by_provider={k: frozenset(v) for k, v in self.blocked_countries.items()},
            blocked_by_game={k: frozenset(v)
                             for k, v in self.blocked_countries_by_game.items()},
            signals=SignalRules(
                enabled=s.enabled, opposite_bets=s.opposite_bets,
                min_stake_run=s.min_stake_run, min_stake=s.min_stake,
                weight_drop=s.weight_drop, void_burst=s.void_burst,
                void_window=timedelta(minutes=s.void_window_minutes),
                hold=frozenset(s.hold)))
