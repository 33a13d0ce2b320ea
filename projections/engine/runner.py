"""The projection runner: a pull loop that keeps every view up to the log's head.

The library's subscription runner cannot follow a SQLite application, so this
loop reads the notification log in batches (the same code on SQLite and
PostgreSQL) and applies each batch to each view in one transaction with the
view's new position. A view that fails keeps its position and retries the
same batch; it never skips an event, and its error shows in `status()`.
It runs as a thread inside `serve` or alone in `casino-ledger projections run`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.engine.database import PositionMoved
from projections.engine.view import View

log = logging.getLogger(__name__)

BATCH = 500


class ProjectionRunner:
    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[Any],
                 views: Iterable[View], *, poll_interval: float = 0.5,  # float-ok: seconds
                 batch_size: int = BATCH, react: bool = True):
        """`react=False` builds rows only: a replay never runs a reaction's commands."""
        self.recorder = recorder
        self.mapper = mapper
        self.views = {view.name: view for view in views}
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.react = react
        self.errors: dict[str, str] = {}
        self.on_failed: list[Callable[[str], None]] = []  # a view's name, per failure
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
        positions = {view.name: view.position() for view in views}
        while views:
            notes = self.recorder.select_notifications(
                start=min(positions.values()), limit=self.batch_size, stop=until,
                inclusive_of_start=False)
            if not notes:
                return
            events = [(n.id, self.mapper.to_domain_event(n)) for n in notes]
            # A view with `stored` also gets the stored record of each event.
            stored = [(n.id, (n, e)) for n, (_, e) in zip(notes, events)]
            for view in list(views):
                part = [pair for pair in (stored if view.stored else events)
                        if pair[0] > positions[view.name]]
                if not part:
                    continue
                try:
                    positions[view.name] = self._apply(view, positions[view.name], part)
                except Exception as error:
                    if not isolate:
                        raise
                    self._failed(view, error)
                    views.remove(view)
                    del positions[view.name]
                else:
                    self.errors.pop(view.name, None)
            if progress:
                progress(events[-1][0])

    def _apply(self, view: View, expected: int, batch: list[tuple[int, Any]]) -> int:
        if self.react:
            view.react(batch)
        position, prepared = batch[-1][0], view.prepare(batch)
        try:
            with view.db.transaction() as cursor:
                # The position is written first: on SQLite that takes the write lock
                # before any read, so the transaction cannot be refused half-way.
                cursor.advance(view.name, expected, position)
                view.apply(cursor, prepared)
        except PositionMoved:
            return view.position()  # another follower applied this batch first
        return position

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> None:
        """Drop a view and build it again from position zero."""
        view = self.views[name]
        with view.db.transaction() as cursor:
            view.drop(cursor)
            view.create(cursor)
        self.catch_up([name], progress=progress)

    def wait(self, position: int, timeout: float, names: Iterable[str] | None = None,  # float-ok: seconds
             ) -> bool:
        """Block until the views reflect `position` (read-your-writes), or time out."""
        views = [self.views[n] for n in names] if names else list(self.views.values())
        deadline = time.monotonic() + timeout
        while True:
            if all(view.position() >= position for view in views):
                return True
            if time.monotonic() >= deadline:
                return False
            self.wake()
            time.sleep(0.005)

    def status(self) -> list[dict[str, Any]]:
        head = self.head()
        return [{"name": name, "position": view.position(), "head": head,
                 "lag": head - view.position(), "error": self.errors.get(name)}
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
        while not self._stop.is_set():
            self._wakeup.clear()
            try:
                self.catch_up(isolate=True)
            except Exception:  # noqa: BLE001 - the log itself unreadable: retry soon
                log.exception("reading the event log failed")
                self._stop.wait(1.0)
            # A failed view is retried (from its own position) after a pause.
            self._wakeup.wait(self.poll_interval if not self.errors else 1.0)

    def _failed(self, view: View, error: Exception) -> None:
        """Report a view that stopped; it keeps its position and never skips."""
        if self.errors.get(view.name) != str(error):
            log.exception("projection %s stopped at %s", view.name, view.position(),
                          exc_info=error)
        self.errors[view.name] = str(error)
        for listener in self.on_failed:
            listener(view.name)
