"""Business configuration: a TOML file named by CASINO_LEDGER_CONFIG, over built-in defaults.

Every field is documented in docs/configuration.md. Later issues add their
sections (VIP ladder, programs, limits) here, each with its defaults.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.money import Currencies

DEFAULT_CURRENCIES = {
    "BTC": 8, "ETH": 18, "USDT": 6, "USDC": 6, "SOL": 9, "BNB": 18, "TRX": 6,
}
REPORTING_CURRENCY = ("USD", 2)


class CurrencyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    precision: int = Field(ge=0, le=18)


class BusinessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currencies: dict[str, CurrencyConfig] = Field(
        default_factory=lambda: {c: CurrencyConfig(precision=p)
                                 for c, p in DEFAULT_CURRENCIES.items()})

    @field_validator("currencies")
    @classmethod
    def _codes(cls, value: dict[str, CurrencyConfig]) -> dict[str, CurrencyConfig]:
        for code in value:
            if not (code.isascii() and code.isupper() and 2 <= len(code) <= 12):
                raise ValueError(f"currency code {code!r} must be 2-12 upper-case letters")
        if REPORTING_CURRENCY[0] in value:
            raise ValueError("USD is the reporting currency, not a wallet currency")
        return value

    def wallet_currencies(self) -> Currencies:
        return Currencies({code: c.precision for code, c in self.currencies.items()})


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
