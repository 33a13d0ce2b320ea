"""The ledger's clock: UTC now, which tests can stop and move.

Event timestamps decide which UTC day, ISO week or month an event belongs to
(loss limits, cashback periods, rakeback unlocks), so every event is stamped
from here. It is one clock per process because events take their time from a
static hook; in production it is simply the system's UTC time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from domain.kernel.errors import InvalidInput


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._pinned = threading.local()

    def now(self) -> datetime:
        pinned = getattr(self._pinned, "at", None)
        return pinned or self._frozen or datetime.now(timezone.utc)

    @contextmanager
    def pinned(self) -> Iterator[datetime]:
        """One instant for everything decided inside (this thread): a command's, or a
        group commit batch's, events all take it, so times never go backwards along
        the log within what is saved together (docs/audit.md)."""
        outer = getattr(self._pinned, "at", None)
        if outer is not None:
            yield outer
            return
        self._pinned.at = self.now()
        try:
            yield self._pinned.at
        finally:
            self._pinned.at = None

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


def parse_instant(text: str, field: str = "at") -> datetime:
    """An ISO-8601 instant with a time zone (`Z` or an offset), in UTC; else refuse."""
    try:
        at = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}: {text!r} is not an ISO-8601 time such as "
                           "2026-01-15T12:00:00Z", field=field) from None
    if at.tzinfo is None:
        raise InvalidInput(f"{field}: {text!r} has no time zone; add Z (UTC) or an "
                           "offset such as +02:00", field=field)
    return at.astimezone(timezone.utc)


def check_past(at: datetime, field: str = "at") -> datetime:
    now = clock.now()
    if at > now:
        raise InvalidInput(f"{field}: {at.isoformat()} is in the future (now "
                           f"{now.isoformat()})", field=field)
    return at
