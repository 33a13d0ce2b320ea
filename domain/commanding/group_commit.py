"""Group commit: many commands, one transaction (DESIGN.md section 5).

Appends to the log are serialised (one table lock per transaction), so
throughput comes from putting many commands in each transaction. Callers queue
their commands; a decider thread takes what has queued up (at most
`max_batch`) and decides each on a copy of the batch's aggregates (a refused
command leaves no trace and never fails its neighbours); a committer thread
saves each decided batch at once, in order, and hands out the outcomes.

The two overlap: while batch k waits on the database, batch k+1 is decided on
copies that already include batch k's outcome (`Known`). If batch k does not
commit (it lost an optimistic-concurrency race to another process, repeated a
requestId stored earlier, or the database failed), whatever was decided on it
is void: the committer bumps an epoch, so every batch decided before the
decider heard of the failure is run again command by command on the
single-command path, and the decider forgets the copies involved first. A
repeat thus gets its first result and one stale aggregate never fails others.
A database fault anywhere in a batch (deciding it, saving it, reading the
head after it) is the answer of every caller still waiting on it, and both
threads go on: no caller is left waiting, and a retry by requestId gets the
one result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from copy import deepcopy
from dataclasses import dataclass
from queue import Empty, SimpleQueue
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.commanding.event_store import StaleReads
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
from domain.commanding.unit_of_work import Known, UnitOfWork
from domain.kernel.clock import clock
from domain.kernel.errors import Busy
from domain.rules import Rules

STOP = object()
IN_FLIGHT = 2  # decided batches waiting for the committer, at most

Item = tuple[Command, Future[Outcome]]


@dataclass
class Decided:
    """A batch decided on the state as of `epoch`, waiting to be committed."""

    epoch: int
    items: list[Item]
    decided: list[tuple[Command, Future[Outcome], Any, bool]]  # (.., result, replayed)
    # Refusals rest on the batch's state, so they are handed out only once the
    # batch is saved; a refusal on a stale read (None) is decided again alone.
    refused: list[tuple[Command, Future[Outcome], Exception | None]]
    changed: list[Any]
    expect: dict[UUID, int]  # read but not written: the version read (0: absent)
    reads: dict[UUID, int]

    def touched(self) -> list[UUID]:
        return [*self.reads, *(a.id for a in self.changed)]


class GroupCommitRunner:
    def __init__(self, app: Any, rules: Rules, *, max_batch: int = 100):
        self._single = CommandRunner(app, rules)
        self.on_saved = self._single.on_saved
        self.directory = self._single.directory
        # The decider's copies of what it read, saved or is saving: a batch
        # decides without a query per aggregate; its reads are checked as it
        # is saved. Only the decider touches it; others send ids to forget.
        self._known = Known()
        self._forget: SimpleQueue[list[UUID]] = SimpleQueue()
        self._epoch = 0  # bumped (by the committer only) when decided batches are void
        self._saving: list[Any] | None = None  # the batch's aggregates being saved
        self._single.on_saved_aggregates.append(self._saved_alone)
        # Told of each batch: (its commands, whether it lost its race); for metrics.
        self.on_batch: list[Callable[[int, bool], None]] = []
        self.max_batch = max_batch
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._decided: SimpleQueue[Any] = SimpleQueue()
        self._room = threading.Semaphore(IN_FLIGHT)
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._closed = False
        self.batches = 0  # transactions written, and commands they carried
        self.batched = 0
        self.lost_races = 0  # batches retried command by command

    def execute(self, command: Command) -> Outcome:
        return self.submit(command).result()

    def submit(self, command: Command) -> Future[Outcome]:
        """Queue the command; its outcome (or refusal) arrives in the future."""
        check_input(command)
        future: Future[Outcome] = Future()
        self._ensure_threads()
        self._queue.put((command, future))
        return future

    def close(self) -> None:
        with self._start_lock:
            self._closed = True
        if self._threads:
            self._queue.put(STOP)  # the decider passes it on to the committer
            for thread in self._threads:
                thread.join(timeout=10)

    def _ensure_threads(self) -> None:
        """Start the decider and the committer (again, if either died); refuse
        once closed."""
        with self._start_lock:
            if self._closed:
                raise Busy("the ledger is shutting down; retry the same request")
            if len(self._threads) == 2 and all(t.is_alive() for t in self._threads):
                return
            if self._threads:  # one died: stop the other, then start both afresh
                self._queue.put(STOP)
                for _ in range(IN_FLIGHT):
                    self._room.release()  # a decider waiting for room sees STOP
                for thread in self._threads:
                    thread.join(timeout=10)
            self._decided = SimpleQueue()
            self._room = threading.Semaphore(IN_FLIGHT)
            self._epoch += 1  # nothing decided before is committed now
            self._threads = [
                threading.Thread(target=self._decide_all, name="group-commit-decide",
                                 daemon=True),
                threading.Thread(target=self._commit_all, name="group-commit",
                                 daemon=True)]
            for thread in self._threads:
                thread.start()

    # The decider.

    def _decide_all(self) -> None:
        decided = self._decided
        try:
            while (batch := self._next_batch()) is not None:
                self._room.acquire()
                try:
                    decided.put(self._decide(batch))
                except Exception as error:  # noqa: BLE001 - each caller learns it
                    self._room.release()
                    answer_waiting(batch, error)
        finally:
            decided.put(STOP)

    def _next_batch(self) -> list[Item] | None:
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
                    self._queue.put(item)  # after STOP: run alone by the committer
            return None
        return batch

    def _decide(self, batch: list[Item]) -> Decided:
        # The epoch first, then the ids to forget: a batch decided in the
        # current epoch has forgotten every copy a failure made wrong.
        epoch = self._epoch
        while True:
            try:
                self._known.forget(self._forget.get_nowait())
            except Empty:
                break
        with clock.pinned():  # one time for the batch: it is saved in one transaction
            shared = UnitOfWork(self._single.app.repository, self._single.rules,
                                known=self._known, directory=self._single.directory)
            outcome = Decided(epoch, batch, [], [], [], {}, shared.reads)
            for command, future in batch:
                trial = shared.fork()
                try:
                    result, replayed = decide(command, trial, optimistic=True)
                except StaleRead:
                    self._known.forget(list(shared.reads))
                    outcome.refused.append((command, future, None))
                    continue
                except Exception as error:  # noqa: BLE001 - handed to its caller
                    outcome.refused.append((command, future, error))
                    continue
                shared.merge(trial)
                outcome.decided.append((command, future, result, replayed))
        outcome.changed = shared.changed()
        written = {a.id for a in outcome.changed}
        # What the batch read but does not write must not have moved; what it
        # writes is checked by the save itself (optimistic concurrency).
        outcome.expect = {i: v for i, v in shared.reads.items() if i not in written}
        for aggregate in outcome.changed:  # the next batch decides on this one's outcome
            saved = deepcopy(aggregate)
            saved.pending_events.clear()
            self._known.put(aggregate.id, saved)
        return outcome

    # The committer.

    def _commit_all(self) -> None:
        decided = self._decided
        while (outcome := decided.get()) is not STOP:
            try:
                self._commit(outcome)
            except Exception as error:  # noqa: BLE001 - e.g. reading the head after the save
                answer_waiting(outcome.items, error)
            finally:
                self._room.release()
        while True:  # commands that queued behind STOP
            try:
                item = self._queue.get_nowait()
            except Empty:
                return
            if item is not STOP:
                self._run_alone(*item)

    def _commit(self, outcome: Decided) -> None:
        if outcome.epoch != self._epoch:  # decided on a batch that did not commit
            self._void(outcome)
            return
        try:
            self._saving = outcome.changed
            positions = (self._single.save(outcome.changed, expect=outcome.expect)
                         if outcome.changed else self._check(outcome.expect))
        except (StaleReads, IntegrityError):
            # Copies another process made stale, or a requestId seen before.
            self._void(outcome)
            return
        except Exception as error:  # noqa: BLE001 - every caller learns the save failed
            self._forget_and_bump(outcome)
            for _, future, _, _ in outcome.decided:
                future.set_exception(error)
            for command, future, _ in outcome.refused:
                self._run_alone(command, future)
            return
        finally:
            self._saving = None
        self.batches += 1
        self.batched += len(outcome.decided)
        self._report(len(outcome.items), False)
        self._hand_out(outcome, positions)

    def _hand_out(self, outcome: Decided, positions: dict[UUID, int]) -> None:
        head = max(positions.values(), default=None)
        for command, future, result, replayed in outcome.decided:
            if not replayed:
                position = position_in(command, positions)
            elif command.request_id is None or outcome.reads.get(key_of(command)) == 0:
                # Nothing recorded (changed nothing, no earlier Request): the
                # batch's end, or the head, covers everything it read.
                if head is None:
                    head = self._single.app.head()
                position = head
            else:
                position = self._single.replayed_position(command)
            future.set_result(Outcome(result, position, replayed))
        for command, future, error in outcome.refused:
            if error is None:
                self._run_alone(command, future)
            else:
                future.set_exception(error)

    def _void(self, outcome: Decided) -> None:
        """Nothing of the batch is saved: each command runs again alone."""
        self._forget_and_bump(outcome)
        self.lost_races += 1
        self._report(len(outcome.items), True)
        for command, future in outcome.items:
            self._run_alone(command, future)

    def _forget_and_bump(self, outcome: Decided) -> None:
        """The batch's copies are wrong, and so is every batch decided on them:
        the ids go to the decider first, then the epoch moves (see `_decide`)."""
        self._forget.put(outcome.touched())
        self._epoch += 1

    def _check(self, expect: dict[UUID, int]) -> dict[UUID, int]:
        """Nothing to save: still, what the batch read must not have moved."""
        self._single.app.recorder.check(expect)
        return {}

    def _report(self, size: int, lost: bool) -> None:
        for listener in self.on_batch:
            listener(size, lost)

    def _saved_alone(self, aggregates: list[Any]) -> None:
        """A save outside a batch (a command run alone): the copies are old now."""
        if aggregates is not self._saving:
            self._forget.put([a.id for a in aggregates])

    def _run_alone(self, command: Command, future: Future[Outcome]) -> None:
        try:
            future.set_result(self._single.execute(command))
        except Exception as error:  # noqa: BLE001 - handed to its caller
            future.set_exception(error)


def answer_waiting(items: list[Item], error: Exception) -> None:
    """`error` is the answer of each command of `items` not answered yet."""
    for _, future in items:
        if not future.done():
            future.set_exception(error)
