"""Amounts between a chain's integer units and whole coins, and a chain's
token by ledger currency: the same on every chain."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def to_coins(units: int, decimals: int) -> Decimal:
    """Integer chain units (wei, sun, lamports, token base units) as an exact Decimal."""
    return Decimal(units).scaleb(-decimals)


def to_units(amount: Decimal, decimals: int) -> int:
    """An amount in whole coins as integer units; refuses sub-unit precision."""
    units = amount.scaleb(decimals)
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more than {decimals} decimals")
    return int(units)


def token_for(chain: Any, tokens: Iterable[T], currency: str) -> T | None:
    """The token of `currency` (None for the chain's native coin); ValueError for
    a currency the chain does not carry."""
    if currency == chain.native_currency:
        return None
    for token in tokens:
        if token.currency == currency:  # type: ignore[attr-defined]
            return token
    raise ValueError(f"{chain.name} carries no currency {currency!r}")
