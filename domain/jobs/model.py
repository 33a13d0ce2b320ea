"""JobRun: the record of a scheduled job's attempts for one period.

Its id is uuid5 of the job name and the period (`2026-01-15`, `2026-W03`,
`2026-01`), so there is one record per job and period, whoever runs it. Every
attempt appends `Started` and then `Finished` (succeeded or failed, with the
job's summary or the error). Running a period that already succeeded again is
allowed (the job is idempotent for its period) and shows as another attempt.
An attempt still running refuses a second one, unless it started longer ago
than `abandon_after`: its process is presumed dead, and it is recorded as
failed before the new attempt starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict, DomainError, InvalidInput
from domain.kernel.ids import natural_id
from domain.commanding.unit_of_work import UnitOfWork

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
TRIGGERS = ("schedule", "catch-up", "manual")
MAX_ERROR = 2000


class JobFailed(DomainError):
    """A job's action raised; the attempt is recorded as failed."""

    code = "job_failed"


class JobRun(LedgerAggregate):
    @staticmethod
    def create_id(name: str, period: str, **_: Any) -> UUID:
        return job_run_key(name, period)

    @event("Opened")
    def __init__(self, name: str, period: str):
        self.name = name
        self.period = period
        self.attempts = 0
        self.running = False
        self.outcome: str | None = None
        self.trigger = ""
        self.actor = ""
        self.summary: dict[str, Any] = {}
        self.last_error = ""
        self._attempt_started_at: datetime | None = None

    # An attempt's Started is always the event just before its Finished, so
    # `modified_on` (the time of the last event) gives both times.
    @property
    def started_at(self) -> datetime | None:
        return self.modified_on if self.running else self._attempt_started_at

    @property
    def finished_at(self) -> datetime | None:
        return None if self.running or not self.attempts else self.modified_on

    @property
    def succeeded(self) -> bool:
        return not self.running and self.outcome == SUCCEEDED

    def start(self, trigger: str, actor: str, at: datetime,
              abandon_after: timedelta) -> None:
        if trigger not in TRIGGERS:
            raise InvalidInput(f"trigger must be one of {', '.join(TRIGGERS)}",
                               field="trigger")
        if self.running:
            if at - self.modified_on < abandon_after:
                raise Conflict(f"job {self.name} for {self.period} is already running "
                               f"(attempt {self.attempts}, started "
                               f"{self.modified_on.isoformat()})")
            self._finished(self.attempts, FAILED, {},
                           f"abandoned: no result within {abandon_after} of its start")
        self._started(self.name, self.period, trigger, actor, self.attempts + 1)

    def finish(self, attempt: int, outcome: str, summary: dict[str, Any],
               error: str) -> None:
        """Record an attempt's outcome; the same outcome again records nothing."""
        if outcome not in (SUCCEEDED, FAILED):
            raise InvalidInput("outcome must be succeeded or failed", field="outcome")
        if attempt == self.attempts and not self.running and self.outcome == outcome:
            return
        if not self.running or attempt != self.attempts:
            raise Conflict(f"attempt {attempt} of job {self.name} for {self.period} "
                           "is no longer running")
        self._finished(attempt, outcome, summary, error[:MAX_ERROR])

    @event("Started")
    def _started(self, name: str, period: str, trigger: str, actor: str,
                 attempt: int) -> None:
        self.attempts = attempt
        self.running = True
        self.trigger = trigger
        self.actor = actor

    @event("Finished")
    def _finished(self, attempt: int, outcome: str, summary: dict[str, Any],
                  error: str) -> None:
        self._attempt_started_at = self.modified_on
        self.running = False
        self.outcome = outcome
        self.summary = summary
        if error:
            self.last_error = error

    def record(self) -> JobRunRecord:
        return JobRunRecord(
            job=self.name, period=self.period, trigger=self.trigger, actor=self.actor,
            attempts=self.attempts, outcome=RUNNING if self.running else self.outcome,
            started_at=self.started_at, finished_at=self.finished_at,
            summary=self.summary, last_error=self.last_error)


@command_result("job-run")
@dataclass(frozen=True)
class JobRunRecord:
    """A job's run for one period: its latest attempt and how many there were."""

    job: str
    period: str
    trigger: str
    actor: str
    attempts: int
    outcome: str | None
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any]
    last_error: str


def job_run_key(name: str, period: str) -> UUID:
    return natural_id("job-run", name, period)


@dataclass(frozen=True)
class StartJobRun:
    """Start an attempt of a job for a period; keyed by job and period, no requestId."""

    kind: ClassVar[str] = "job-run-start"
    request_id: ClassVar[None] = None
    job: str
    period: str
    trigger: str
    actor: str
    at: datetime
    abandon_after: timedelta

    @property
    def partition(self) -> str:
        return f"job-run:{self.job}:{self.period}"

    def decide(self, uow: UnitOfWork) -> JobRunRecord:
        run = uow.find(job_run_key(self.job, self.period))
        if run is None:
            run = uow.add(JobRun(self.job, self.period))
        run.start(self.trigger, self.actor, self.at, self.abandon_after)
        return run.record()


@dataclass(frozen=True)
class FinishJobRun:
    """Record an attempt's outcome; repeating it records nothing."""

    kind: ClassVar[str] = "job-run-finish"
    request_id: ClassVar[None] = None
    job: str
    period: str
    attempt: int
    outcome: str
    summary: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def partition(self) -> str:
        return f"job-run:{self.job}:{self.period}"

    def decide(self, uow: UnitOfWork) -> JobRunRecord:
        run = uow.find(job_run_key(self.job, self.period))
        if run is None:
            raise Conflict(f"job {self.job} for {self.period} was never started")
        run.finish(self.attempt, self.outcome, self.summary, self.error)
        return run.record()
