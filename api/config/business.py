"""Business configuration: a TOML file named by CASINO_LEDGER_CONFIG, over built-in defaults.

Every field is documented in docs/configuration.md. Later issues add their
sections (VIP ladder, programs, limits) here, each with its defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from api.config.brands import BrandEntry, check_brand, check_currencies, merged
from api.config.cashback import BonusConfig, CashbackConfig, cashback_rules
from api.config.cashier import CashierConfig
from api.config.compliance import ComplianceConfig
from api.config.relay import RelayConfig
from api.config.types import Amount, Section
from domain.brands.model import DEFAULT_BRAND
from domain.kernel.money import Currencies
from domain.rules import DEFAULT_LOYALTY, DEFAULT_SPLIT, RakebackRules, Rules
from domain.players.vip import DEFAULT_LADDER, VipLadder

DEFAULT_CURRENCIES = {
    "BTC": 8, "ETH": 18, "USDT": 6, "USDC": 6, "SOL": 9, "BNB": 18, "TRX": 6,
}
REPORTING_CURRENCY = ("USD", 2)


class CurrencyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    precision: int = Field(ge=0, le=18)


# Indicative USD prices for VIP XP until FX rates are set as events.
DEFAULT_USD_RATES = {
    "BTC": "60000", "ETH": "3000", "USDT": "1", "USDC": "1", "SOL": "150",
    "BNB": "600", "TRX": "0.25",
}


class BetsConfig(Section):
    funding: Literal["cash_first", "bonus_first"] = "cash_first"
    max_stake: dict[str, Amount] = Field(default_factory=dict)


class VipLevelConfig(Section):
    name: str = Field(min_length=1)
    xp: Amount = Field(ge=0)


class VipConfig(Section):
    levels: list[VipLevelConfig] = Field(default_factory=lambda: [
        VipLevelConfig(name=name, xp=xp) for name, xp in DEFAULT_LADDER])


class RakebackConfig(Section):
    loyalty: dict[str, Amount] = Field(default_factory=lambda: dict(DEFAULT_LOYALTY))
    split: dict[str, Amount] = Field(default_factory=lambda: dict(DEFAULT_SPLIT))
    provider_commission: bool = False
    provider_commission_rate: Amount = Field(default=Decimal("0.15"), ge=0, lt=1)
    refund_clawback: bool = False
    unclaimed: Literal["forfeit", "carry"] = "forfeit"
    double_rtp: Amount = Field(default=Decimal(1), gt=0, le=1)


class BusinessConfig(Section):
    currencies: dict[str, CurrencyConfig] = Field(
        default_factory=lambda: {c: CurrencyConfig(precision=p)
                                 for c, p in DEFAULT_CURRENCIES.items()})
    bets: BetsConfig = Field(default_factory=BetsConfig)
    vip: VipConfig = Field(default_factory=VipConfig)
    usd_rates: dict[str, Amount] = Field(
        default_factory=lambda: {c: Decimal(r) for c, r in DEFAULT_USD_RATES.items()})
    rakeback: RakebackConfig = Field(default_factory=RakebackConfig)
    cashback: CashbackConfig = Field(default_factory=CashbackConfig)
    bonus: BonusConfig = Field(default_factory=BonusConfig)
    cashier: CashierConfig = Field(default_factory=CashierConfig)
    relay: RelayConfig = Field(default_factory=RelayConfig)
    compliance: ComplianceConfig = Field(default_factory=ComplianceConfig)
    brands: dict[str, BrandEntry] = Field(default_factory=dict)
    _brands: dict[str, BusinessConfig] = PrivateAttr(default_factory=dict)

    @field_validator("currencies")
    @classmethod
    def _codes(cls, value: dict[str, CurrencyConfig]) -> dict[str, CurrencyConfig]:
        for code in value:
            if not (code.isascii() and code.isupper() and 2 <= len(code) <= 12):
                raise ValueError(f"currency code {code!r} must be 2-12 upper-case letters")
        if REPORTING_CURRENCY[0] in value:
            raise ValueError("USD is the reporting currency, not a wallet currency")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> BusinessConfig:
        for section, codes in (("bets.max_stake", self.bets.max_stake),
                               ("usd_rates", self.usd_rates),
                               ("cashier.chains", self.cashier.currencies()),
                               ("compliance", self.compliance.currencies())):
            unknown = set(codes) - set(self.currencies)
            if unknown:
                raise ValueError(f"{section} names unknown currencies {sorted(unknown)}")
        ladder = VipLadder(tuple((level.name, level.xp) for level in self.vip.levels))
        missing = set(ladder.names) - set(self.rakeback.loyalty)
        if missing:
            raise ValueError(f"rakeback.loyalty has no percent for levels {sorted(missing)}")
        RakebackRules(split=self.rakeback.split)  # checks the buckets and their sum
        cashback_rules(self.cashback, self.bonus, ladder.names)  # programs and weights
        self.compliance.rules()  # profiles named by level or country exist
        return self

    @model_validator(mode="after")
    def _brand_configs(self) -> BusinessConfig:
        """Each brand's whole configuration: its sections over these."""
        base = self.model_dump(exclude={"brands"})
        self._brands = {}
        for name, entry in self.brands.items():
            override = check_brand(name, entry)
            try:
                config = BusinessConfig.model_validate(merged(base, override))
            except ValidationError as error:
                raise ValueError(f"brand {name!r}: {error}") from None
            check_currencies(name, self.currencies, config.currencies)
            self._brands[name] = config
        return self

    def brand_config(self, brand: str) -> BusinessConfig:
        """The configuration of `brand` (the default brand's: this one)."""
        return self._brands.get(brand, self)

    def companies(self) -> dict[str, str]:
        """Brand -> company, the default brand included."""
        return {DEFAULT_BRAND: DEFAULT_BRAND,
                **{name: entry.company for name, entry in self.brands.items()}}

    def wallet_currencies(self) -> Currencies:
        return Currencies({code: c.precision for code, c in self.currencies.items()})

    def rules(self, flip_secret: bytes = b"development flip secret") -> Rules:
        """The domain's rules, each brand's with them; `flip_secret` derives
        double-or-nothing server seeds."""
        companies = self.companies()
        return replace(self._own_rules(flip_secret), companies=companies, brands={
            name: replace(config._own_rules(flip_secret), companies=companies)
            for name, config in self._brands.items()})

    def _own_rules(self, flip_secret: bytes) -> Rules:
        rakeback = self.rakeback
        ladder = VipLadder(tuple((level.name, level.xp) for level in self.vip.levels))
        return Rules(
            currencies=self.wallet_currencies(),
            funding=self.bets.funding,
            max_stake=self.bets.max_stake,
            ladder=ladder,
            usd_rates=self.usd_rates,
            rakeback=RakebackRules(
                loyalty=rakeback.loyalty, split=rakeback.split,
                provider_commission=rakeback.provider_commission,
                provider_commission_rate=rakeback.provider_commission_rate,
                refund_clawback=rakeback.refund_clawback, unclaimed=rakeback.unclaimed,
                double_rtp=rakeback.double_rtp, flip_secret=flip_secret),
            cashback=cashback_rules(self.cashback, self.bonus, ladder.names),
            cashier=self.cashier.rules(),
            compliance=self.compliance.rules(),
        )


class ConfigError(Exception):
    """The business configuration file is unreadable or breaks a rule."""


def load_config(path: Path | None) -> BusinessConfig:
    """The built-in defaults, overridden by the TOML file at `path` if given."""
    if path is None:
        return BusinessConfig()
    try:
        with path.open("rb") as handle:
            return BusinessConfig.model_validate(tomllib.load(handle))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors())
        raise ConfigError(f"{path}: {problems}") from error
