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
from collections.abc import Callable
from concurrent.futures import Future
from queue import Empty, SimpleQueue
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.commanding.runner import (
    Command,
    CommandRunner,
    Outcome,
    StaleRead,
    check_input,
    decide,
    key_of,
    position_in,
)
from domain.commanding.event_store import StaleReads
from domain.kernel.errors import Busy
from domain.rules import Rules
from domain.commanding.unit_of_work import Known, UnitOfWork
from domain.kernel.clock import clock

STOP = object()


class GroupCommitRunner:
    def __init__(self, app: Any, rules: Rules, *, max_batch: int = 100):
        self._single = CommandRunner(app, rules)
        self.on_saved = self._single.on_saved
        # What the writer read or saved: a batch decides without a query per
        # aggregate, and its reads are checked in one query before it is saved.
        self._known = Known()
        self._single.on_saved_aggregates.append(self._forget_written)
        # Told of each batch: (its commands, whether it lost its race); for metrics.
        self.on_batch: list[Callable[[int, bool], None]] = []
        self.max_batch = max_batch
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self.batches = 0  # transactions written, and commands they carried
        self.batched = 0
        self.lost_races = 0  # batches retried command by command

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

    def _commit_pinned(self, batch: list[tuple[Command, Future[Outcome]]], *,
                       again: bool = True) -> None:
        shared = UnitOfWork(self._single.app.repository, self._single.rules,
                            known=self._known)
        decided = []
        # Refusals rest on the batch's state, so they are handed out only once the
        # batch is saved; a refusal on a stale read (None) is decided again alone.
        refused: list[tuple[Command, Future[Outcome], Exception | None]] = []
        for command, future in batch:
            trial = shared.fork()
            try:
                result, replayed = decide(command, trial, optimistic=True)
            except StaleRead:
                self._known.forget(list(shared.reads))
                refused.append((command, future, None))
                continue
            except Exception as error:  # noqa: BLE001 - handed to its caller below
                refused.append((command, future, error))
                continue
            shared.merge(trial)
            decided.append((command, future, result, replayed))
        changed = shared.changed()
        written = {a.id for a in changed}
        # What the batch read but does not write must not have moved; what it
        # writes is checked by the save itself (optimistic concurrency).
        expect = {i: v for i, v in shared.reads.items() if i not in written}
        try:
            positions = self._save(changed, expect) if changed else self._check(expect)
        except StaleReads:
            # Copies another process made stale, or a requestId seen before:
            # forget every copy read and decide the batch once more on fresh reads.
            self._known.forget(list(expect))
            if again:
                self._commit_pinned(batch, again=False)
                return
            self.lost_races += 1
            self._report(len(batch), True)
            for command, future, *_ in decided + refused:
                self._run_alone(command, future)
            return
        except IntegrityError:
            self.lost_races += 1
            self._report(len(batch), True)
            self._known.forget([*shared.reads, *written])
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
        head = max(positions.values(), default=None)
        for command, future, result, replayed in decided:
            if not replayed:
                position = position_in(command, positions)
            elif command.request_id is None or shared.reads.get(key_of(command)) == 0:
                # Nothing recorded (changed nothing, no earlier Request): the
                # batch's end, or the head, covers everything it read.
                if head is None:
                    head = self._single.app.head()
                position = head
            else:
                position = self._single.replayed_position(command)
            future.set_result(Outcome(result, position, replayed))
        for command, future, error in refused:
            if error is None:
                self._run_alone(command, future)
            else:
                future.set_exception(error)

    def _report(self, size: int, lost: bool) -> None:
        for listener in self.on_batch:
            listener(size, lost)

    def _forget_written(self, aggregates: list[Any]) -> None:
        """A save outside a batch (a command run alone): the copies are old now."""
        self._known.forget([a.id for a in aggregates])

    def _check(self, expect: dict[Any, int]) -> dict[Any, int]:
        """Nothing to save: still, what the batch read must not have moved."""
        self._single.app.recorder.check(expect)
        return {}

    def _save(self, changed: list[Any], expect: dict[Any, int]) -> dict[Any, int]:
        positions = self._single.save(changed, expect=expect)
        for aggregate in changed:
            self._known.put(aggregate.id, aggregate)
        return positions

    def _run_alone(self, command: Command, future: Future[Outcome]) -> None:
        try:
            future.set_result(self._single.execute(command))
        except Exception as error:  # noqa: BLE001 - handed to its caller
            future.set_exception(error)
