"""When a deposit address's balance of one currency is swept into the hot wallet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class SweepRule:
    """At or above `threshold`; or, every `every_seconds` since the address's last
    sweep of the currency, anything above `minimum`. Either may be None."""

    currency: str
    threshold: Decimal | None = None
    every_seconds: int | None = None
    minimum: Decimal = Decimal(0)

    def due(self, balance: Decimal, last: datetime | None, now: datetime) -> bool:
        if balance <= 0 or balance <= self.minimum:
            return False
        if self.threshold is not None and balance >= self.threshold:
            return True
        if self.every_seconds is None:
            return False
        return last is None or now - last >= timedelta(seconds=self.every_seconds)
