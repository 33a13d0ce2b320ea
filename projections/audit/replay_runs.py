"""Replays asked for over HTTP: recorded as ReplayRun events, run in the background.

`request` records who asked (a ReplayRun, keyed by the requestId) and starts
the replay in a thread of this process; the same requestId again answers the
same run and starts nothing. When the replay ends, its verdict, the position
it was built to, the number of differing rows and a summary are recorded on
the run; a replay that raises is recorded as failed with its error. A run
whose process died meanwhile stays `running` (ask again with a new requestId).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.kernel.errors import Conflict, NotFound
from domain.ledger import Ledger
from domain.audit.replay_run import (
    FAILED,
    FinishReplay,
    ReplayRecord,
    RequestReplay,
    replay_run_key,
)
from projections.audit.replay import replay
from projections.engine.runner import ProjectionRunner

log = logging.getLogger(__name__)


class ReplayRuns:
    def __init__(self, ledger: Ledger, runner: ProjectionRunner):
        self.ledger = ledger
        self.runner = runner
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def request(self, request_id: str, actor: str, until: datetime | None) -> ReplayRecord:
        """Record the request and start the replay (unless this requestId already did).

        One replay at a time per server: each rebuilds every view, and two
        would only share the machine. Another request meanwhile is a 409.
        """
        with self._lock:
            self._check_idle(request_id)
            outcome = self.ledger.execute(RequestReplay(request_id=request_id, actor=actor,
                                                        until=until))
            if not outcome.replayed:
                thread = threading.Thread(target=self.run, args=(request_id, until),
                                          name=f"replay-{request_id}", daemon=True)
                self._threads[request_id] = thread
                thread.start()
            return outcome.result

    def _check_idle(self, request_id: str) -> None:
        busy = [r for r, thread in self._threads.items() if thread.is_alive()]
        if busy and busy != [request_id]:
            raise Conflict(f"replay {busy[0]} is still running; ask again when it ends")

    def run(self, request_id: str, until: datetime | None) -> ReplayRecord:
        """Replay now and record the result on the run."""
        try:
            report = replay(self.runner, until=until)
        except Exception as error:  # noqa: BLE001 - recorded as failed, never lost
            log.exception("replay %s failed", request_id)
            return self._finish(request_id, FAILED, None, 0, {},
                                f"{type(error).__name__}: {error}")
        return self._finish(request_id, report.verdict, report.position,
                            report.differences, report.summary())

    def get(self, request_id: str) -> ReplayRecord:
        """A run read from its own record (no view to lag)."""
        try:
            return self.ledger.repository.get(replay_run_key(request_id)).record()
        except AggregateNotFoundError:
            raise NotFound(f"no replay was requested as {request_id!r}") from None

    def join(self, timeout: float = 30.0) -> None:  # float-ok: seconds
        """Wait for the replays started here (before the services close)."""
        for thread in self._threads.values():
            thread.join(timeout)

    def _finish(self, request_id: str, verdict: str, position: int | None,
                differences: int, summary: dict[str, Any], error: str = "") -> ReplayRecord:
        return self.ledger.execute(FinishReplay(
            replay_request_id=request_id, verdict=verdict, position=position,
            differences=differences, summary=summary, error=error)).result
