"""Verified replay: every view rebuilt from position zero and compared with the live one.

Every view registered in the ProjectionRunner with rows is copied into a
scratch area (projections/audit/scratch.py) and built there by a second runner
from position zero to the log's head, with `react=False`: a reaction keeps
no rows and its commands are never run again. The live views are then
brought to the same position (as their follower would) and each is read at
one moment with its position; if its follower has moved it further
meanwhile, its copy follows to that position first. Rows are compared by
the table's key (`order_by`), and every difference names the view, table,
key, and the live and rebuilt rows.

With `until` (a time), the copies are built to the log's last event at or
before it and compared with nothing (the live views are at the head): the
report gives each view's position and row counts, and `keep` leaves the
scratch area in place for querying. Otherwise the area is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from projections.audit.history import log_position_at
from projections.audit.replay_report import Difference, ReplayReport, ViewResult
from projections.engine.runner import ProjectionRunner
from projections.audit.scratch import Scratch
from projections.engine.view import View

Progress = Callable[[int, int], None]  # (position reached, target position)
MAX_LISTED = 1000  # differences kept in a report (all are counted)
# Events per transaction when rebuilding: no reader waits on the copies, so
# larger batches than the live follower's (500) cost no latency; about 1.5x faster.
BATCH = 2000


def replay(runner: ProjectionRunner, *, until: datetime | None = None,
           progress: Progress | None = None, keep: bool = False) -> ReplayReport:
    """Rebuild every view with rows in a scratch area and compare it with the live one.

    `runner` is the live ProjectionRunner (services.projections); `progress`
    is called after each batch with the position reached and the target.
    With `until`, the views are rebuilt as of that time and compared with
    nothing; with `keep`, the scratch area is left in place.
    """
    started = time.monotonic()
    views = [view for view in runner.views.values() if view.tables]
    target = (log_position_at(runner, until) if until
              else runner.head())
    scratch = Scratch(views[0].db)
    try:
        check = Check(runner, rebuild(runner, views, scratch, target, progress), target)
        results = check.counted(views) if until else check.compared(views)
    finally:
        if keep:
            scratch.release()
        else:
            scratch.drop()
    return ReplayReport.of(until=until, position=target, results=results,
                           differences=check.differences, listed=check.listed,
                           seconds=time.monotonic() - started,
                           scratch=scratch.location if keep else None)


def rebuild(runner: ProjectionRunner, views: list[View], scratch: Scratch, target: int,
            progress: Progress | None) -> ProjectionRunner:
    """Copies of the views built in the scratch area from zero to `target`, never reacting."""
    copies = ProjectionRunner(runner.recorder, runner.mapper,
                              [view.on(scratch.db) for view in views], react=False,
                              batch_size=BATCH)
    if target:  # a view that fails to rebuild is reported, the others go on
        copies.catch_up(until=target, isolate=True, progress=progress and (
            lambda position: progress(position, target)))
    return copies


@dataclass
class Check:
    live: ProjectionRunner
    copies: ProjectionRunner
    target: int
    differences: int = 0
    listed: list[Difference] = field(default_factory=list)

    def counted(self, views: list[View]) -> list[ViewResult]:
        return [self.count(view) for view in views]

    def compared(self, views: list[View]) -> list[ViewResult]:
        """Bring the live views to the target (as their follower would), then compare."""
        self.live.catch_up([view.name for view in views], until=self.target, isolate=True)
        return [self.compare(view) for view in views]

    def count(self, view: View) -> ViewResult:
        """A view rebuilt as of a time: its position and rows per table."""
        position, tables = self.copies.views[view.name].snapshot()
        return self.failed(view, position) or ViewResult(
            view.name, position, "rebuilt", {table: len(rows) for table, rows in tables.items()})

    def failed(self, view: View, position: int) -> ViewResult | None:
        error = self.copies.errors.get(view.name)
        if error is None:
            return None
        return ViewResult(view.name, position, "failed", {},
                          f"rebuilding stopped at {position}: {error}")

    def compare(self, view: View) -> ViewResult:
        copy = self.copies.views[view.name]
        if failed := self.failed(view, copy.position()):
            return failed
        position, live = view.snapshot()
        if position < self.target:
            error = self.live.errors.get(view.name) or "it did not advance"
            return ViewResult(view.name, position, "behind", {}, f"the live view is at "
                              f"{position}, the log at {self.target}: {error}")
        if position > self.target:  # its follower moved on while the copies were built
            self.copies.catch_up([view.name], until=position, isolate=True)
            if failed := self.failed(view, copy.position()):
                return failed
        _, rebuilt = copy.snapshot()
        found = sum(self._table(view, table, live[table], rebuilt[table])
                    for table in view.tables)
        return ViewResult(view.name, position, "different" if found else "equal",
                          {table: len(rows) for table, rows in rebuilt.items()})

    def _table(self, view: View, table: str, live: list[dict[str, Any]],
               rebuilt: list[dict[str, Any]]) -> int:
        """Count (and list, up to MAX_LISTED) the differing keys of one table."""
        columns = key_columns(view.order_by[table])
        live_rows, rebuilt_rows = by_key(live, columns), by_key(rebuilt, columns)
        found = 0
        for key in dict.fromkeys([*live_rows, *rebuilt_rows]):
            was, now = live_rows.get(key), rebuilt_rows.get(key)
            if was != now:
                found += 1
                if len(self.listed) < MAX_LISTED:
                    self.listed.append(Difference(view.name, table, dict(zip(columns, key)),
                                                  one(was), one(now)))
        self.differences += found
        return found


def key_columns(order_by: str) -> list[str]:
    """The columns of an ORDER BY clause ("position, leg DESC" -> position, leg)."""
    return [part.split()[0] for part in order_by.split(",")]


def by_key(rows: list[dict[str, Any]], columns: list[str]) -> dict[tuple[Any, ...], list]:
    grouped: dict[tuple[Any, ...], list] = {}
    for row in rows:
        grouped.setdefault(tuple(row[c] for c in columns), []).append(row)
    return grouped


def one(rows: list[dict[str, Any]] | None) -> dict[str, Any] | list | None:
    """A key's row (or rows, if the key is not unique), None if missing."""
    if rows is None:
        return None
    return rows[0] if len(rows) == 1 else rows
