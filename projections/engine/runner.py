"""The projection runner: a pull loop that keeps every view up to the log's head.

The library's subscription runner cannot follow a SQLite application, so this
loop reads the notification log in batches (the same code on SQLite and
PostgreSQL) and applies each batch to each view in one transaction with the
view's new position. A view that fails keeps its position and retries the
same batch; it never skips an event, and its error shows in `status()`.
It runs as a thread inside `serve` or alone in `casino-ledger projections run`.

A view that fails heals by itself (projections/engine/trouble.py): a lost
connection, a restarted database, a lock or statement timeout or a
serialization failure is retried with back-off and counted, never shown as a
stopped view; another error is retried one event at a time, and only when it
repeats on the same event does the view stop, naming that event. Either way
the view rejoins the others while writes go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.engine.database import PositionMoved
from projections.engine.trouble import Troubles
from projections.engine.reaction import Reaction
from projections.engine.view import View

log = logging.getLogger(__name__)

# Events read, decoded and applied at once: each batch costs a query, a transaction
# per lane and a statement per table, so a catch-up spends a fifth less per event
# at 5,000 than at 1,000 (docs/benchmarks.md); a live follower's batches are small.
BATCH = 5000
LANES = 3


class ProjectionRunner:
    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[Any],
                 views: Iterable[View], *, poll_interval: float = 0.5,  # float-ok: seconds
                 batch_size: int = BATCH, react: bool = True, lanes: int = LANES):
        """`react=False` builds rows only: a replay never runs a reaction's commands.
        `lanes`: transactions a batch is applied in at once (PostgreSQL)."""
        self.recorder = recorder
        self.mapper = mapper
        self.views = {view.name: view for view in views}
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.react = react
        self.lanes = max(1, lanes)
        self._pool = ThreadPoolExecutor(self.lanes, thread_name_prefix="view-lane")
        self.errors: dict[str, str] = {}  # stopped views, by name
        self.troubles = Troubles()
        self.on_failed: list[Callable[[str], None]] = []  # a view's name, per failure
        # Readers waiting for the views (wait) sleep on this; each batch applied
        # here wakes them, and `_generation` tells a waiter it missed none.
        self._advanced = threading.Condition()
        self._generation = 0
        self._known: dict[str, int] = {}  # positions this process saw (lower bounds)
        self._wakeup = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(self, names: Iterable[str] | None = None, *, until: int | None = None,
                 progress: Callable[[int], None] | None = None,
                 isolate: bool = False) -> None:
        """Apply every new event (up to `until`) to the named views (default all).

        Each batch is read and decoded once for all the views. With `isolate`, a
        view that fails is reported in `errors` and left at its position while
        the others go on; without it, the failure is raised.
        """
        views = [self.views[n] for n in names] if names else list(self.views.values())
        positions = self.positions(view.name for view in views)
        # Views that failed wait out their back-off (only when isolated: a plain
        # catch-up, as a rebuild runs it, tries every view and raises).
        due = self.troubles.due(views) if isolate else views
        parked: list[View] = [view for view in views if view not in due]
        views = [view for view in views if view in due]
        while views or parked:
            for view in self.troubles.due(parked):
                parked.remove(view)
                views.append(view)
                positions.update(self.positions([view.name]))
            if not views:
                return
            notes = self.recorder.select_notifications(
                start=min(positions.values()), limit=self.batch_size, stop=until,
                inclusive_of_start=False)
            if not notes:
                return
            events = [(n.id, self.mapper.to_domain_event(n)) for n in notes]
            # A view with `stored` also gets the stored record of each event.
            stored = [(n.id, (n, e)) for n, (_, e) in zip(notes, events)]
            # The views first, in one transaction: reads wait for them, and they
            # must not wait behind the reactions' commands; then the reactions.
            for phase in (False, True):
                ready = []
                firsts: dict[str, int] = {}  # each view's first event of this batch
                for view in [v for v in views if isinstance(v, Reaction) == phase]:
                    part = [pair for pair in (stored if view.stored else events)
                            if pair[0] > positions[view.name]]
                    part = part[:self.troubles.batch_limit(view.name, len(part))]
                    if not part:
                        continue
                    firsts[view.name] = part[0][0]
                    try:
                        ready.append((view, positions[view.name], part[-1][0],
                                      self._prepare(view, part)))
                    except Exception as error:
                        if not isolate:
                            raise
                        self._failed(view, error, part[0][0], events)
                        views.remove(view)
                        parked.append(view)
                        del positions[view.name]
                for view, outcome in self._apply_together(ready, isolate):
                    if isinstance(outcome, Exception):
                        self._failed(view, outcome, firsts[view.name], events)
                        views.remove(view)
                        parked.append(view)
                        del positions[view.name]
                    else:
                        positions[view.name] = outcome
                        self.errors.pop(view.name, None)
                        self.troubles.cleared(view.name)
            if progress:
                progress(events[-1][0])

    def _prepare(self, view: View, batch: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        """A reaction's commands, then what the view reads outside its tables:
        both before the views' transaction opens (on SQLite a command, or a
        read through another connection, would queue behind it)."""
        if self.react:
            view.react(batch)
        return view.prepare(batch)

    def _apply_together(self, ready: list[tuple[View, int, int, Any]], isolate: bool,
                        ) -> list[tuple[View, int | Exception]]:
        """Apply a batch to every view: one transaction per lane, lanes at once.

        On PostgreSQL the views are split over `lanes` transactions on their own
        connections, applied from as many threads, so the database writes one
        lane's rows while Python builds another's; SQLite has one writer, so
        one lane. Each view works in a savepoint of its own with its position,
        so a view that fails (or that another follower moved first) is rolled
        back alone and the others commit. Returns each view's new position, or
        the error that stopped it.
        """
        groups: list[list[tuple[View, int, int, Any]]] = []
        by_db: dict[int, list[tuple[View, int, int, Any]]] = {}
        for item in ready:
            by_db.setdefault(id(item[0].db), []).append(item)
        for group in by_db.values():
            lanes = self.lanes if group[0][0].db.dialect == "postgres" else 1
            groups += [lane for lane in (group[n::lanes] for n in range(lanes)) if lane]
        if len(groups) <= 1:
            return [o for g in groups for o in self._apply_lane(g, isolate)]
        return [o for outcomes in self._pool.map(lambda g: self._apply_lane(g, isolate),
                                                 groups)
                for o in outcomes]

    def _apply_lane(self, group: list[tuple[View, int, int, Any]], isolate: bool,
                    ) -> list[tuple[View, int | Exception]]:
        done: list[tuple[View, int | Exception]] = []
        moved: list[View] = []
        try:
            with group[0][0].db.transaction() as cursor:
                for view, expected, position, prepared in group:
                    cursor.execute("SAVEPOINT view_batch")
                    try:
                        # The position is written first: on SQLite that takes the
                        # write lock before any read, so nothing is refused half-way.
                        cursor.advance(view.name, expected, position)
                        view.apply(cursor, prepared)
                    except PositionMoved:
                        cursor.execute("ROLLBACK TO SAVEPOINT view_batch")
                        moved.append(view)  # another follower applied it first
                    except Exception as error:
                        if not isolate:
                            raise
                        cursor.execute("ROLLBACK TO SAVEPOINT view_batch")
                        done.append((view, error))
                    else:
                        cursor.execute("RELEASE SAVEPOINT view_batch")
                        done.append((view, position))
        except Exception as error:
            if not isolate:
                raise
            return [(view, error) for view, *_ in group]
        for view, outcome in done:
            if not isinstance(outcome, Exception):
                self._advance(view.name, outcome)
        for view in moved:
            position = view.position()
            self._advance(view.name, position)
            done.append((view, position))
        return done

    def _advance(self, name: str, position: int) -> None:
        with self._advanced:
            if position > self._known.get(name, 0):
                self._known[name] = position
            self._generation += 1
            self._advanced.notify_all()

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> None:
        """Drop a view and build it again from position zero."""
        view = self.views[name]
        with self._advanced:
            self._known.pop(name, None)
        with view.db.transaction() as cursor:
            view.drop(cursor)
            view.create(cursor)
        self.catch_up([name], progress=progress)

    def positions(self, names: Iterable[str] | None = None) -> dict[str, int]:
        """The named views' positions (default all), one query per database."""
        views = [self.views[n] for n in names] if names else list(self.views.values())
        found: dict[str, int] = {}
        by_db: dict[int, list[View]] = {}
        for view in views:
            by_db.setdefault(id(view.db), []).append(view)
        for group in by_db.values():
            found.update(group[0].db.positions(v.name for v in group))
        with self._advanced:
            for name, position in found.items():
                if position > self._known.get(name, 0):
                    self._known[name] = position
        return found

    def following(self) -> bool:
        """Whether this process's thread follows the log (and so wakes waiters)."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, position: int, timeout: float, names: Iterable[str] | None = None,  # float-ok: seconds
             ) -> bool:
        """Block until the views reflect `position` (read-your-writes), or time out.

        Positions this process has seen answer without a query. When this
        process follows the log, a waiter sleeps until the follower applies a
        batch (no polling interval to pay); otherwise another process moves the
        views and this polls their positions, briefly (1 ms doubling to 20 ms).
        """
        wanted = list(names) if names else list(self.views)
        if all(self._known.get(n, 0) >= position for n in wanted):
            return True
        deadline = time.monotonic() + timeout
        pause = 0.001  # float-ok: seconds
        while True:
            generation = self._generation
            if all(p >= position for p in self.positions(wanted).values()):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self.following():
                self.wake()
                with self._advanced:
                    if self._generation == generation:
                        self._advanced.wait(min(remaining, 0.05))  # float-ok: seconds
            else:
                time.sleep(min(remaining, pause))
                pause = min(pause * 2, 0.02)  # float-ok: seconds

    def status(self) -> list[dict[str, Any]]:
        head = self.head()
        return [{"name": name, "position": view.position(), "head": head,
                 "lag": head - view.position(), "error": self.errors.get(name),
                 "retries": self.troubles.retries.get(name, 0)}
                for name, view in self.views.items()]

    # Following the log in a thread.

    def wake(self, *_: Any) -> None:
        self._wakeup.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wakeup.set()
        if self._thread:
            self._thread.join(timeout=10)

    def run(self) -> None:
        pause = self.poll_interval
        while not self._stop.is_set():
            self._wakeup.clear()
            try:
                self.catch_up(isolate=True)
                pause = self.poll_interval
            except Exception:  # noqa: BLE001 - the log itself unreadable: retry soon
                log.exception("reading the event log failed; retrying in %.1f s", pause)
                self.troubles.count_log_failure()
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)  # float-ok: seconds
                continue
            # A failed view is retried (from its own position) when its back-off ends.
            self._wakeup.wait(self.troubles.wait(self.poll_interval))

    def _failed(self, view: View, error: Exception, first: int,
                events: list[tuple[int, Any]]) -> None:
        """Note a view's failure at the batch starting with event `first`; it keeps
        its position and never skips. Stopped only if the same error repeats
        on the same event (retries go one event at a time to find it)."""
        verdict = self.troubles.failed(view.name, first, error)
        if verdict.stopped:
            name = next((type(e).__qualname__ for n, e in events if n == first), "?")
            message = f"stopped at event {first} ({name}): {error}"
            if self.errors.get(view.name) != message:
                log.error("projection %s %s", view.name, message, exc_info=error)
            self.errors[view.name] = message
        elif verdict.first:
            log.warning("projection %s failed at event %s (%s); retrying", view.name,
                        first, error, exc_info=error)
        for listener in self.on_failed:
            listener(view.name)
