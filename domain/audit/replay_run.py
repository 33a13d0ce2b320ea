"""ReplayRun: the record of a verified replay asked for over HTTP (who, when, result).

Its id is uuid5 of the requestId, so asking again with the same requestId
answers the same run instead of starting another. `Requested` records who
asked and for which time (`until`, None for the head); `Finished` records the
verdict, the log position the views were rebuilt to, how many rows differ
and a summary (each view's outcome and the first differences), or the error
of a replay that failed. Both events carry their time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.clock import check_past
from domain.kernel.errors import InvalidInput
from domain.kernel.ids import natural_id
from domain.commanding.unit_of_work import UnitOfWork

RUNNING, FAILED = "running", "failed"


class ReplayRun(LedgerAggregate):
    @staticmethod
    def create_id(request_id: str, **_: Any) -> UUID:
        return replay_run_key(request_id)

    @event("Requested")
    def __init__(self, request_id: str, actor: str, until: datetime | None):
        self.request_id = request_id
        self.actor = actor
        self.until = until
        self.verdict = RUNNING
        self.position: int | None = None
        self.differences = 0
        self.summary: dict[str, Any] = {}
        self.error = ""

    def finish(self, verdict: str, position: int | None, differences: int,
               summary: dict[str, Any], error: str) -> None:
        """Record the result once; a second result is ignored (the first stands)."""
        if self.verdict == RUNNING:
            self._finished(verdict, position, differences, summary, error)

    @event("Finished")
    def _finished(self, verdict: str, position: int | None, differences: int,
                  summary: dict[str, Any], error: str) -> None:
        self.verdict = verdict
        self.position = position
        self.differences = differences
        self.summary = summary
        self.error = error

    def record(self) -> ReplayRecord:
        return ReplayRecord(
            replay_id=str(self.id), request_id=self.request_id, actor=self.actor,
            until=self.until, requested_at=self.created_on,
            finished_at=None if self.verdict == RUNNING else self.modified_on,
            verdict=self.verdict, position=self.position, differences=self.differences,
            summary=self.summary, error=self.error)


@command_result("replay")
@dataclass(frozen=True)
class ReplayRecord:
    """A replay run: who asked, for which time, and (once finished) its verdict,
    the position the views were rebuilt to, how many rows differ, and a summary
    (each view's outcome), or the error of a replay that failed."""

    replay_id: str
    request_id: str
    actor: str
    until: datetime | None
    requested_at: datetime
    finished_at: datetime | None
    verdict: str
    position: int | None
    differences: int
    summary: dict[str, Any]
    error: str


def replay_run_key(request_id: str) -> UUID:
    return natural_id("replay-run", request_id)


@dataclass(frozen=True)
class RequestReplay:
    kind: ClassVar[str] = "replay"
    request_id: str
    actor: str
    until: datetime | None

    @property
    def partition(self) -> str:
        return f"replay:{self.request_id}"

    def decide(self, uow: UnitOfWork) -> ReplayRecord:
        if self.until is not None:
            if self.until.tzinfo is None:
                raise InvalidInput("until: must carry a time zone", field="until")
            check_past(self.until, "until")
        run = uow.find(replay_run_key(self.request_id))
        if run is None:
            run = uow.add(ReplayRun(self.request_id, self.actor, self.until))
        return run.record()


@dataclass(frozen=True)
class FinishReplay:
    """Record a replay's result; keyed by the run, so it needs no requestId."""

    kind: ClassVar[str] = "replay-finish"
    request_id: ClassVar[None] = None
    replay_request_id: str
    verdict: str
    position: int | None
    differences: int
    summary: dict[str, Any]
    error: str = ""

    @property
    def partition(self) -> str:
        return f"replay:{self.replay_request_id}"

    def decide(self, uow: UnitOfWork) -> ReplayRecord:
        run = uow.find(replay_run_key(self.replay_request_id))
        if run is None:
            raise InvalidInput(f"no replay was requested as {self.replay_request_id}",
                               field="requestId")
        run.finish(self.verdict, self.position, self.differences, self.summary, self.error)
        return run.record()
