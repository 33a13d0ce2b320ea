"""Group commit: many commands, one transaction (DESIGN.md section 5).

Appends to the log are serialised (one table lock per transaction), so
throughput comes from putting many commands in each transaction. Callers queue
their commands; one writer thread takes what has queued up (at most
`max_batch`), decides each on a copy of the batch's aggregates (a refused
command leaves no trace and never fails its neighbours), and saves the whole
batch at once. If the batch loses an optimistic-concurrency race (another
process wrote first, or a command repeats a requestId stored earlier: the
batch looks Requests up only in memory), each of its commands is run again
alone by the single-command path, so one stale aggregate never fails the
others and a repeat gets its first result.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from queue import Empty, SimpleQueue
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.commanding.runner import (
    Command,
    CommandRunner,
    Outcome,
    StaleRead,
    check_input,
    decide,
    position_in,
)
from domain.kernel.clock import clock
from domain.kernel.errors import Busy
from domain.rules import Rules
from domain.commanding.unit_of_work import UnitOfWork

STOP = object()


class GroupCommitRunner:
    def __init__(self, app: Any, rules: Rules, *, max_batch: int = 100):
        self._single = CommandRunner(app, rules)
        self.on_saved = self._single.on_saved
        self.max_batch = max_batch
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self.batches = 0  # transactions written, and commands they carried
        self.batched = 0
        self.lost_races = 0  # batches retried command by command
        # Told of each batch: (its commands, whether it lost its race); for metrics.
        self.on_batch: list[Callable[[int, bool], None]] = []

    def execute(self, command: Command) -> Outcome:
        check_input(command)
        future: Future[Outcome] = Future()
        self._ensure_writer()
        self._queue.put((command, future))
        return future.result()

    def close(self) -> None:
        with self._start_lock:
            self._closed = True
        if self._writer is not None:
            self._queue.put(STOP)
            self._writer.join(timeout=10)

    def _ensure_writer(self) -> None:
        """Start the writer, or a new one if it died; refuse once closed."""
        with self._start_lock:
            if self._closed:
                raise Busy("the ledger is shutting down; retry the same request")
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write, name="group-commit",
                                                daemon=True)
                self._writer.start()

    def _write(self) -> None:
        while (batch := self._next_batch()) is not None:
            self._commit(batch)

    def _next_batch(self) -> list[tuple[Command, Future[Outcome]]] | None:
        first = self._queue.get()
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except Empty:
                break
        if STOP in batch:
            for item in batch:
                if item is not STOP:
                    self._run_alone(*item)
            return None
        return batch

    def _commit(self, batch: list[tuple[Command, Future[Outcome]]]) -> None:
        with clock.pinned():  # one time for the batch: it is saved in one transaction
            self._commit_pinned(batch)

    def _commit_pinned(self, batch: list[tuple[Command, Future[Outcome]]]) -> None:
        shared = UnitOfWork(self._single.app.repository, self._single.rules)
        decided = []
        # Refusals rest on the batch's state, so they are handed out only once the
        # batch is saved; a refusal on a stale read (None) is decided again alone.
        refused: list[tuple[Command, Future[Outcome], Exception | None]] = []
        for command, future in batch:
            trial = shared.fork()
            try:
                result, replayed = decide(command, trial, optimistic=True)
            except StaleRead:
                refused.append((command, future, None))
                continue
            except Exception as error:  # noqa: BLE001 - handed to its caller below
                refused.append((command, future, error))
                continue
            shared.merge(trial)
            decided.append((command, future, result, replayed))
        changed = shared.changed()
        try:
            positions = self._single.save(changed) if changed else {}
        except IntegrityError:
            self.lost_races += 1
            self._report(len(batch), True)
            for command, future, *_ in decided + refused:
                self._run_alone(command, future)
            return
        except Exception as error:  # noqa: BLE001 - every caller learns the save failed
            for _, future, _, _ in decided:
                future.set_exception(error)
            for command, future, _ in refused:
                self._run_alone(command, future)
            return
        self.batches += 1
        self.batched += len(decided)
        self._report(len(batch), False)
        for command, future, result, replayed in decided:
            position = (self._single.replayed_position(command) if replayed
                        else position_in(command, positions))
            future.set_result(Outcome(result, position, replayed))
        for command, future, error in refused:
            if error is None:
                self._run_alone(command, future)
            else:
                future.set_exception(error)

    def _report(self, size: int, lost: bool) -> None:
        for listener in self.on_batch:
            listener(size, lost)

    def _run_alone(self, command: Command, future: Future[Outcome]) -> None:
        try:
            future.set_result(self._single.execute(command))
        except Exception as error:  # noqa: BLE001 - handed to its caller
            future.set_exception(error)
