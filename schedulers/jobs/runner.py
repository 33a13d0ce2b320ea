"""The job runner: runs a job for an ended period and records the attempt.

Every attempt is recorded on the period's `JobRun` (domain/jobs/model.py):
`Started` before the action, `Finished` after it, succeeded with the action's
summary or failed with its error. `run` raises `JobFailed` when the action
fails (a manual run reports it); the schedule and catch-up log it instead.
A database fault is not the job's: catch-up raises it, naming the job and
period, for the schedule to retry with back-off (schedulers/jobs/healing.py);
an attempt this process started and lost to such a fault is abandoned at
once on the retry, not after `abandon_after`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.public_events import camel
from domain.commanding.runner import Outcome
from domain.jobs.model import FAILED, SUCCEEDED, FinishJobRun, JobFailed, StartJobRun, job_run_key
from domain.ledger import Ledger
from domain.kernel.periods import DAY, MONTH, WEEK, Period
from projections.engine.trouble import transient
from schedulers.jobs.catalogue import Job, JobCatalogue
from schedulers.jobs.healing import ItemFailed

log = logging.getLogger(__name__)

# How many ended periods of each kind catch-up looks back over.
LOOKBACK = {DAY: 35, WEEK: 6, MONTH: 2}
ABANDON_AFTER = timedelta(hours=1)


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Missed:
    job: Job
    period: Period


class JobRunner:
    def __init__(self, ledger: Ledger, catalogue: JobCatalogue, clock: Clock, *,
                 lookback: Mapping[str, int] = LOOKBACK,
                 abandon_after: timedelta = ABANDON_AFTER):
        self.ledger = ledger
        self.catalogue = catalogue
        self.clock = clock
        self.lookback = {**LOOKBACK, **lookback}
        self.abandon_after = abandon_after
        self._lost: set[tuple[str, str]] = set()  # (job, period) attempts left open here

    def run(self, name: str, period: Period, trigger: str = "manual",
            actor: str = "scheduler") -> Outcome:
        """Run job `name` for an ended `period`; the finished attempt: the run's
        record (`JobRunRecord`) and its log position."""
        job = self.catalogue.get(name)
        self.check_runnable(job, period)
        key = (name, str(period))
        try:
            started = self.ledger.execute(StartJobRun(
                job=name, period=str(period), trigger=trigger, actor=actor,
                at=self.clock.now(), abandon_after=(timedelta(0) if key in self._lost
                                                    else self.abandon_after)))
        except Exception as error:
            if transient(error):
                self._lost.add(key)  # it may have been recorded all the same
            raise
        self._lost.discard(key)
        attempt = started.result.attempts
        try:
            summary = summary_of(job.action(period))
        except Exception as error:  # noqa: BLE001 - recorded as failed, then raised
            self._finish(job, period, attempt, FAILED, {}, describe(error))
            raise JobFailed(f"job {name} for {period} failed (attempt {attempt}): "
                            f"{describe(error)}") from error
        return self._finish(job, period, attempt, SUCCEEDED, summary, "")

    def check_runnable(self, job: Job, period: Period) -> None:
        if period.kind != job.kind:
            raise InvalidInput(f"period: job {job.name} runs per {job.kind}; "
                               f"{period} is a {period.kind}", field="period")
        now = self.clock.now()
        if not period.ended(now):
            raise InvalidInput(f"period: {period} has not ended; it ends at "
                               f"{period.end.isoformat()} (now {now.isoformat()})",
                               field="period")

    def _finish(self, job: Job, period: Period, attempt: int, outcome: str,
                summary: dict[str, Any], error: str) -> Outcome:
        try:
            return self.ledger.execute(FinishJobRun(
                job=job.name, period=str(period), attempt=attempt, outcome=outcome,
                summary=summary, error=error))
        except Exception:
            self._lost.add((job.name, str(period)))  # left open: a retry abandons it
            raise

    # Catching up: every ended period in the lookback without a success.

    def missed(self, now: datetime, jobs: list[Job] | None = None) -> list[Missed]:
        """Ended periods in the lookback with no succeeded run: by end, then job order.

        Periods that ended before the log's first event had nothing to do: they
        are not caught up (a new ledger starts with no backlog of empty runs).
        """
        born = self.ledger.started_at()
        if born is None:
            return []
        found = []
        for order, job in enumerate(self.catalogue if jobs is None else jobs):
            kind = job.kind
            after = Period.containing(kind, now)
            for _ in range(self.lookback[kind]):
                after = after.previous()
            for period in Period.between(kind, max(after.start, born), now):
                if not self.succeeded(job.name, period):
                    found.append((period.end, order, Missed(job, period)))
        return [missed for _, _, missed in sorted(found, key=lambda f: f[:2])]

    def catch_up(self, now: datetime | None = None, jobs: list[Job] | None = None,
                 *, scheduled: Period | None = None) -> list[Outcome]:
        """Run every missed period in order; a job's failure stops that job's catch-up.

        A job never runs a period before the earlier ones succeeded, so a job
        that failed (or that another process is running) waits for its next
        tick or start-up. A tick passes the period that just ended as
        `scheduled`: it runs with trigger "schedule", the others "catch-up".
        """
        now = now or self.clock.now()
        stopped: set[str] = set()
        records = []
        for m in self.missed(now, jobs):
            if m.job.name in stopped:
                continue
            trigger = "schedule" if m.period == scheduled else "catch-up"
            record = self._run_logged(m.job, m.period, trigger)
            if record is None:
                stopped.add(m.job.name)
            else:
                records.append(record)
        return records

    def _run_logged(self, job: Job, period: Period, trigger: str) -> Outcome | None:
        try:
            return self.run(job.name, period, trigger=trigger, actor="scheduler")
        except Conflict as busy:
            log.info("job %s for %s not run: %s", job.name, period, busy.message)
        except Exception as error:  # noqa: BLE001 - recorded as failed; the schedule goes on
            if transient(error):
                raise ItemFailed(f"job {job.name} for {period}", error) from error
            log.exception("job %s for %s failed", job.name, period)
        return None

    def succeeded(self, name: str, period: Period) -> bool:
        """Read from the run's own record (a view could lag)."""
        try:
            run = self.ledger.repository.get(job_run_key(name, str(period)))
        except AggregateNotFoundError:
            return False
        return run.succeeded


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def summary_of(result: Any) -> dict[str, Any]:
    if not isinstance(result, Mapping):
        raise TypeError(f"the job returned {type(result).__name__}, not a summary dict")
    return json_safe(result)


def json_safe(value: Any) -> Any:
    """A summary in JSON's own types: Decimal as a string, times and dates in ISO,
    a command's typed result as its fields in camelCase (as the API shows them)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): json_safe(getattr(value, f.name))
                for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Period)):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    raise TypeError(f"a job summary holds {type(value).__name__}, which is not JSON "
                    "(floats are refused: use Decimal)")
