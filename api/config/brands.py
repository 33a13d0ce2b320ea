"""The [brands] section: each brand of a company, with its configuration over the defaults.

`[brands.NAME]` names the brand's `company` and may hold any top-level section
(currencies, bets, vip, rakeback, cashback, bonus): its tables are merged into
the defaults' (the top-level sections), key by key, and its values replace
theirs. The default brand (`default`, of the company `default`) is the
top-level sections themselves. Documented in docs/brands.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.brands.model import BRAND_NAME, DEFAULT_BRAND

# Sections a brand may not change: they are the platform's, not a brand's.
PLATFORM_SECTIONS = ("cashier", "relay", "usd_rates", "brands")


class BrandEntry(BaseModel):
    # The sections beside `company` are checked as a whole configuration.
    model_config = ConfigDict(extra="allow")

    company: str = Field(pattern=BRAND_NAME.pattern)


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `override` merged in: tables key by key, other values replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def check_brand(name: str, entry: BrandEntry) -> dict[str, Any]:
    """The brand's overriding sections, once its name and sections are allowed."""
    if not BRAND_NAME.match(name) or name == DEFAULT_BRAND:
        raise ValueError(f"brand {name!r}: a name of 1-40 lower-case letters, digits, "
                         f"'-' or '_', other than {DEFAULT_BRAND!r}")
    override = dict(entry.model_extra or {})
    platform = sorted(set(override) & set(PLATFORM_SECTIONS))
    if platform:
        raise ValueError(f"brand {name!r}: {platform} are the platform's, not a brand's")
    return override


def check_currencies(name: str, base: Mapping[str, Any], brand: Mapping[str, Any]) -> None:
    """A brand offers some of the platform's currencies, at their precision."""
    for code, currency in brand.items():
        if code not in base or base[code].precision != currency.precision:
            raise ValueError(f"brand {name!r}: currency {code} is not one of the "
                             "platform's currencies at its precision")
