"""The ledger's clock: UTC now, which tests can stop and move.

Event timestamps decide which UTC day, ISO week or month an event belongs to
(loss limits, cashback periods, rakeback unlocks), so every event is stamped
from here. It is one clock per process because events take their time from a
static hook; in production it is simply the system's UTC time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen or datetime.now(timezone.utc)

    def freeze(self, at: datetime) -> None:
        """Stop time at `at` (aware, converted to UTC)."""
        if at.tzinfo is None:
            raise ValueError("the clock takes aware datetimes only")
        self._frozen = at.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        self.freeze(self.now() + delta)

    def resume(self) -> None:
        """Back to the system's time."""
        self._frozen = None


clock = Clock()
