"""The network fee a withdrawal charges its player (seed 004: sent = amount - fee).

The chain takes the fee in its native coin. A native-coin withdrawal is
charged that fee itself; a token withdrawal (USDT on Ethereum) is charged its
value in the token at the USD rates in force, rounded up to the token's
precision. Without both rates the house pays the gas and charges nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_UP, Decimal
from typing import Any

from domain.kernel.fx import usd_rates
from domain.kernel.money import ZERO
from domain.commanding.unit_of_work import UnitOfWork


def fee_charged(currency: str, native: str, fee: Decimal,
                rates: Mapping[str, Decimal], quantum: Decimal) -> Decimal:
    if currency == native:
        return fee
    native_rate, rate = rates.get(native), rates.get(currency)
    if not native_rate or not rate:
        return ZERO
    return (fee * native_rate / rate).quantize(quantum, rounding=ROUND_UP)


def rates_in_force(ledger: Any) -> dict[str, Decimal]:
    """The USD rates now (finance's latest, else configured), read from the ledger."""
    return usd_rates(UnitOfWork(ledger.repository, ledger.rules))
