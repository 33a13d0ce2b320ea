"""Running totals per UTC day, ISO week and month, kept on the player record.

`tallies["loss:week"] = [period key, {currency: amount}]`: a total belongs to
the period of the event that added to it (its own timestamp, so a replay
agrees), and a new period starts from zero. Plain lists and dicts, so copying
the player on the command path stays cheap.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.kernel.money import ZERO
from domain.kernel.periods import period_key
from domain.compliance.rules import RG_PERIODS

Tallies = dict[str, Any]


def add(tallies: Tallies, kind: str, at: datetime, currency: str,
        amount: Decimal) -> None:
    for period in RG_PERIODS:
        key, entry = f"{kind}:{period}", tallies.get(f"{kind}:{period}")
        current = period_key(period, at)
        if entry is None or entry[0] != current:
            entry = tallies[key] = [current, {}]
        entry[1][currency] = entry[1].get(currency, ZERO) + amount


def take_back(tallies: Tallies, kind: str, at: datetime, then: datetime,
              currency: str, amount: Decimal) -> None:
    """Undo an amount added at `then`, in each period that `at` shares with it."""
    for period in RG_PERIODS:
        entry = tallies.get(f"{kind}:{period}")
        if entry is not None and entry[0] == period_key(period, at) == period_key(
                period, then):
            entry[1][currency] = entry[1].get(currency, ZERO) - amount


def total(tallies: Tallies, kind: str, period: str, at: datetime,
          currency: str) -> Decimal:
    entry = tallies.get(f"{kind}:{period}")
    if entry is None or entry[0] != period_key(period, at):
        return ZERO
    return entry[1].get(currency, ZERO)
