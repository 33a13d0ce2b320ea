"""When a failed view (or loop) tries again, and when it counts as stopped.

The views' follower keys its troubles by view and event; the scheduler's
loops (schedulers/jobs/healing.py) by loop and item (a block, a withdrawal,
a job's period). A failure that the database's state explains (a lost or
reset connection, a restart, a lock or statement timeout, a serialization
failure, SQLite's "database is locked") passes: the view is retried with
back-off (50 ms doubling to 5 s, projections/engine/backoff.py) and the retry
is counted, but it is never a stopped view. Any other error is retried at
once, one event at a time, so that the event is found; when the same error
repeats on the same event STOP_AFTER times the view (or loop) is stopped, and
tried again every STOPPED_RETRY seconds in case the cause was mended. A view that applies a batch is cleared of all of it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
from eventsourcing import persistence

from projections.engine.backoff import pause_after

# The database is away or busy, not wrong: the library's wrappers of a lost
# connection, a restart, a lock or statement timeout, a serialization failure.
TRANSIENT = (psycopg.OperationalError, psycopg.InterfaceError, sqlite3.OperationalError,
             persistence.OperationalError, persistence.InterfaceError)
STOP_AFTER = 3
STOPPED_RETRY = 1.0  # float-ok: seconds


def transient(error: BaseException) -> bool:
    """The database is away or busy, here or in the error this one was raised from."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TRANSIENT):
            return True
        seen = seen.__cause__
    return False


@dataclass
class Trouble:
    event: int | str  # the event of a view, the item of a loop
    error: str
    transient: bool
    attempts: int
    due: float  # float-ok: monotonic seconds

    @property
    def stopped(self) -> bool:
        return not self.transient and self.attempts >= STOP_AFTER

    @property
    def first(self) -> bool:
        return self.attempts == 1


class Troubles:
    def __init__(self) -> None:
        self._by_view: dict[str, Trouble] = {}
        self.retries: dict[str, int] = {}  # failures retried, per view
        self.log_failures = 0

    def failed(self, view: str, event: int | str, error: BaseException) -> Trouble:
        passing = transient(error)
        before = self._by_view.get(view)
        same = (before is not None and before.event == event
                and before.error == str(error) and before.transient == passing)
        attempts = before.attempts + 1 if same and before else 1
        if passing:
            pause = pause_after(attempts)
        else:
            pause = STOPPED_RETRY if attempts >= STOP_AFTER else 0.0
        trouble = Trouble(event, str(error), passing, attempts, time.monotonic() + pause)
        self._by_view[view] = trouble
        self.retries[view] = self.retries.get(view, 0) + 1
        return trouble

    def of(self, view: str) -> Trouble | None:
        return self._by_view.get(view)

    def cleared(self, view: str) -> None:
        self._by_view.pop(view, None)

    def batch_limit(self, view: str, size: int) -> int:
        """One event at a time while a view looks for the event its error is on."""
        trouble = self._by_view.get(view)
        return 1 if trouble is not None and not trouble.transient else size

    def due(self, parked: Iterable) -> list:
        now = time.monotonic()
        return [v for v in parked if self._by_view.get(v.name) is None
                or self._by_view[v.name].due <= now]

    def wait(self, poll: float) -> float:  # float-ok: seconds
        """How long the follower may sleep: its poll, or less if a retry is due."""
        if not self._by_view:
            return poll
        soonest = min(t.due for t in self._by_view.values()) - time.monotonic()
        return max(min(poll, soonest), 0.01)

    def count_log_failure(self) -> None:
        self.log_failures += 1
