"""Scheduled jobs on SQLite and PostgreSQL: manual runs, catch-up, failures, the schedule.

The job under test credits 1 USDT to a house test account per period, with a
requestId derived from the period, so it is idempotent for its period like
every real job. The runner here has a catalogue of its own (the features'
jobs are not in it). The clock is frozen at Thursday 2026-01-15 12:00 UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from domain.wallet.commands import Adjust
from domain.kernel.errors import Conflict, InvalidInput, NotFound
from domain.jobs.model import (
    FinishJobRun,
    JobFailed,
    JobRun,
    JobRunRecord,
    StartJobRun,
    job_run_key,
)
from schedulers.jobs.catalogue import Job, JobCatalogue
from domain.kernel.periods import Period
from schedulers.jobs.runner import JobRunner
from schedulers.jobs.service import JobScheduler
from tests.factories import caught_up

D = Decimal
UTC = timezone.utc
PLAYER = "house-test"


@pytest.fixture
def runner(services, frozen_clock) -> JobRunner:
    """A runner over a ledger whose history starts in 2025, so periods before
    "now" (2026-01-15 12:00 UTC) are a backlog catch-up can run."""
    now = frozen_clock.now()
    frozen_clock.freeze(at(2025, 6, 1))
    services.ledger.execute(Adjust("history", "someone-else", "USDT", D(1), "cash",
                                   "history before the tests", "fin"))
    frozen_clock.freeze(now)
    return JobRunner(services.ledger, JobCatalogue(), frozen_clock)


class CreditJob:
    """A test job: credits `amount` USDT per period; `broken` periods raise."""

    def __init__(self, runner: JobRunner, name: str = "test-credit", kind: str = "day",
                 amount: str = "1"):
        self.ledger = runner.ledger
        self.name = name
        self.amount = D(amount)
        self.broken: set[str] = set()
        self.calls: list[str] = []
        self.job = runner.catalogue.add(Job(name, kind, self.action, "credits 1 USDT"))

    def action(self, period: Period) -> dict[str, Any]:
        self.calls.append(str(period))
        if str(period) in self.broken:
            raise RuntimeError(f"no data for {period}")
        outcome = self.ledger.execute(Adjust(
            request_id=f"{self.name}:{period}", player_id=PLAYER, currency="USDT",
            amount=self.amount, balance="cash", reason=f"{self.name} {period}",
            actor="scheduler"))
        return {"credited": self.amount, "replayed": outcome.replayed}


def cash(services: Any) -> Decimal:
    wallet = services.ledger.wallet(PLAYER, "USDT")
    return wallet.cash if wallet else D(0)


def run(runner: JobRunner, name: str, period: str, **kwargs: Any) -> JobRunRecord:
    return runner.run(name, Period.parse(period), **kwargs).result


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def runner_with(runner: JobRunner, **lookback: int) -> JobRunner:
    """A runner over the same catalogue with a short lookback (kind: periods)."""
    return JobRunner(runner.ledger, runner.catalogue, runner.clock, lookback=lookback)


# Running a period by hand.

def test_running_a_period_twice_credits_once_and_records_both_attempts(
        services, runner, frozen_clock):
    CreditJob(runner)
    first = run(runner, "test-credit", "2026-01-14", actor="ops-bob")
    assert (first.outcome, first.attempts, first.trigger, first.actor) == (
        "succeeded", 1, "manual", "ops-bob")
    assert first.summary == {"credited": "1", "replayed": False}
    assert first.started_at == first.finished_at == frozen_clock.now()
    wallet_version = services.ledger.wallet(PLAYER, "USDT").version

    ran = runner.run("test-credit", Period.parse("2026-01-14"))
    second = ran.result
    assert (second.outcome, second.attempts) == ("succeeded", 2)
    assert second.summary == {"credited": "1", "replayed": True}
    assert cash(services) == 1
    assert services.ledger.wallet(PLAYER, "USDT").version == wallet_version
    assert ran.position == services.ledger.head()

    [row] = caught_up(services).job_runs.list()
    assert (row["job"], row["period"], row["outcome"], row["attempts"]) == (
        "test-credit", "2026-01-14", "succeeded", 2)
    assert row["summary"] == second.summary


def test_each_period_is_its_own_run(services, runner, frozen_clock):
    CreditJob(runner)
    for day in ("2026-01-12", "2026-01-13", "2026-01-14"):
        run(runner, "test-credit", day)
    assert cash(services) == 3
    rows = caught_up(services).job_runs.list()
    assert [r["period"] for r in rows] == ["2026-01-14", "2026-01-13", "2026-01-12"]
    assert [r["period"] for r in services.job_runs.list(limit=1)] == ["2026-01-14"]


@pytest.mark.parametrize("period", ["2026-01-15", "2026-01-16", "2099-12-31"])
def test_a_day_that_has_not_ended_is_refused_and_records_nothing(
        services, runner, frozen_clock, period):
    job = CreditJob(runner)
    head = services.ledger.head()
    with pytest.raises(InvalidInput) as refused:
        run(runner, "test-credit", period)
    assert "has not ended" in refused.value.message and period in refused.value.message
    assert refused.value.field == "period"
    assert services.ledger.head() == head
    assert job.calls == []


def test_a_day_ends_at_midnight_utc(services, runner, frozen_clock):
    CreditJob(runner)
    frozen_clock.freeze(at(2026, 1, 15, 23, 59, 59))
    with pytest.raises(InvalidInput):
        run(runner, "test-credit", "2026-01-15")
    frozen_clock.freeze(at(2026, 1, 16))
    assert run(runner, "test-credit", "2026-01-15").outcome == "succeeded"


def test_the_current_week_and_month_have_not_ended(services, runner, frozen_clock):
    CreditJob(runner, "weekly-credit", "week")
    CreditJob(runner, "monthly-credit", "month")
    for name, period in (("weekly-credit", "2026-W03"), ("monthly-credit", "2026-01")):
        with pytest.raises(InvalidInput, match="has not ended"):
            run(runner, name, period)
    assert run(runner, "weekly-credit", "2026-W02").outcome == "succeeded"
    assert run(runner, "monthly-credit", "2025-12").outcome == "succeeded"


def test_a_period_of_another_kind_than_the_job_is_refused(services, runner, frozen_clock):
    CreditJob(runner)
    with pytest.raises(InvalidInput, match="runs per day; 2026-W02 is a week"):
        run(runner, "test-credit", "2026-W02")


def test_an_unknown_job_is_not_found(services, runner, frozen_clock):
    CreditJob(runner)
    with pytest.raises(NotFound, match="no job 'nope'.*test-credit"):
        run(runner, "nope", "2026-01-14")


# Failures.

def test_a_failing_job_is_recorded_failed_and_a_later_run_succeeds(
        services, runner, frozen_clock):
    job = CreditJob(runner)
    job.broken.add("2026-01-14")
    with pytest.raises(JobFailed) as failed:
        run(runner, "test-credit", "2026-01-14")
    assert "RuntimeError: no data for 2026-01-14" in failed.value.message
    assert isinstance(failed.value.__cause__, RuntimeError)
    assert cash(services) == 0
    [row] = caught_up(services).job_runs.list(outcome="failed")
    assert (row["attempts"], row["lastError"]) == (1, "RuntimeError: no data for 2026-01-14")
    assert row["finishedAt"] is not None

    job.broken.clear()
    record = run(runner, "test-credit", "2026-01-14")
    assert (record.outcome, record.attempts) == ("succeeded", 2)
    assert record.last_error == "RuntimeError: no data for 2026-01-14"
    assert cash(services) == 1
    assert caught_up(services).job_runs.list(outcome="failed") == []
    [row] = services.job_runs.list(outcome="succeeded")
    assert row["attempts"] == 2


def test_a_summary_that_is_not_json_fails_the_run(services, runner, frozen_clock):
    runner.catalogue.add(Job("floaty", "day", lambda period: {"ratio": 0.5}))  # float-ok
    with pytest.raises(JobFailed, match="float"):
        run(runner, "floaty", "2026-01-14")
    runner.catalogue.add(Job("silent", "day", lambda period: None))
    with pytest.raises(JobFailed, match="not a summary dict"):
        run(runner, "silent", "2026-01-14")


def test_an_attempt_still_running_refuses_another_until_it_is_abandoned(
        services, runner, frozen_clock):
    """A process that died mid-run leaves Started without Finished."""
    CreditJob(runner)
    services.ledger.execute(StartJobRun(
        job="test-credit", period="2026-01-14", trigger="schedule", actor="scheduler",
        at=frozen_clock.now(), abandon_after=timedelta(hours=1)))
    assert caught_up(services).job_runs.list(outcome="running")[0]["attempts"] == 1
    frozen_clock.advance(timedelta(minutes=59))
    with pytest.raises(Conflict, match="already running"):
        run(runner, "test-credit", "2026-01-14")

    frozen_clock.advance(timedelta(minutes=2))
    record = run(runner, "test-credit", "2026-01-14")
    assert (record.outcome, record.attempts) == ("succeeded", 2)
    assert record.last_error.startswith("abandoned")
    assert cash(services) == 1


def test_finishing_an_attempt_twice_records_nothing_new(services, runner, frozen_clock):
    CreditJob(runner)
    run(runner, "test-credit", "2026-01-14")
    record = services.ledger.repository.get(job_run_key("test-credit", "2026-01-14"))
    version = record.version
    again = services.ledger.execute(FinishJobRun(
        job="test-credit", period="2026-01-14", attempt=1, outcome="succeeded",
        summary={"credited": "1", "replayed": False}))
    assert again.replayed
    assert services.ledger.repository.get(record.id).version == version
    with pytest.raises(Conflict, match="no longer running"):
        services.ledger.execute(FinishJobRun(
            job="test-credit", period="2026-01-14", attempt=1, outcome="failed"))


# Catching up after downtime.

def test_catch_up_after_downtime_runs_each_missed_period_once_and_in_order(
        services, runner, frozen_clock):
    daily = CreditJob(runner)
    weekly = CreditJob(runner, "weekly-credit", "week", amount="10")
    run(runner, "test-credit", "2026-01-14")
    daily.calls.clear()

    # Down from Thursday noon until Monday 2026-01-19 00:05 UTC.
    frozen_clock.freeze(at(2026, 1, 19, 0, 5))
    runner = runner_with(runner, day=5, week=2)
    records = [ran.result for ran in runner.catch_up()]
    assert [(r.job, r.period) for r in records] == [
        ("weekly-credit", "2026-W02"), ("test-credit", "2026-01-15"),
        ("test-credit", "2026-01-16"), ("test-credit", "2026-01-17"),
        ("test-credit", "2026-01-18"), ("weekly-credit", "2026-W03")]
    assert {(r.trigger, r.outcome, r.attempts, r.actor) for r in records} == {
        ("catch-up", "succeeded", 1, "scheduler")}
    assert daily.calls == ["2026-01-15", "2026-01-16", "2026-01-17", "2026-01-18"]
    assert weekly.calls == ["2026-W02", "2026-W03"]
    assert cash(services) == 1 + 4 + 20

    assert runner.catch_up() == []
    assert daily.calls == ["2026-01-15", "2026-01-16", "2026-01-17", "2026-01-18"]
    assert cash(services) == 25
    rows = caught_up(services).job_runs.list()
    assert len(rows) == 7 and all(r["attempts"] == 1 for r in rows)


def test_a_new_ledger_has_no_backlog_of_periods_before_its_first_event(
        services, frozen_clock):
    fresh = JobRunner(services.ledger, JobCatalogue(), frozen_clock)
    daily = CreditJob(fresh)
    assert fresh.missed(frozen_clock.now()) == []  # an empty log: nothing to catch up
    services.ledger.execute(Adjust("first", "someone-else", "USDT", D(1), "cash",
                                   "the first event", "fin"))  # Thursday 12:00 UTC
    frozen_clock.advance(timedelta(days=2))
    fresh.catch_up()
    assert daily.calls == ["2026-01-15", "2026-01-16"]


def test_catch_up_looks_back_only_over_its_window(services, runner, frozen_clock):
    daily = CreditJob(runner)
    runner_with(runner, day=3).catch_up()
    assert daily.calls == ["2026-01-12", "2026-01-13", "2026-01-14"]


def test_the_default_lookback_covers_35_days_6_weeks_and_2_months(
        services, runner, frozen_clock):
    daily = CreditJob(runner, amount="0.01")
    weekly = CreditJob(runner, "weekly-credit", "week")
    monthly = CreditJob(runner, "monthly-credit", "month")
    missed = runner.missed(frozen_clock.now())
    assert len([m for m in missed if m.job is daily.job]) == 35
    assert [str(m.period) for m in missed if m.job is weekly.job] == [
        "2025-W49", "2025-W50", "2025-W51", "2025-W52", "2026-W01", "2026-W02"]
    assert [str(m.period) for m in missed if m.job is monthly.job] == ["2025-11", "2025-12"]
    assert str(missed[0].period) == "2025-11"
    assert str(missed[-1].period) == "2026-01-14"


def test_catch_up_stops_a_failing_job_and_resumes_it_in_order(
        services, runner, frozen_clock):
    daily = CreditJob(runner)
    other = CreditJob(runner, "other-credit", amount="100")
    daily.broken.add("2026-01-13")
    runner = runner_with(runner, day=3)
    records = [ran.result for ran in runner.catch_up()]
    assert daily.calls == ["2026-01-12", "2026-01-13"]
    assert other.calls == ["2026-01-12", "2026-01-13", "2026-01-14"]
    assert [(r.job, r.period) for r in records if r.job == "test-credit"] == [
        ("test-credit", "2026-01-12")]

    daily.broken.clear()
    daily.calls.clear()
    records = [ran.result for ran in runner.catch_up()]
    assert daily.calls == ["2026-01-13", "2026-01-14"]
    assert [(r.period, r.attempts) for r in records] == [
        ("2026-01-13", 2), ("2026-01-14", 1)]
    assert cash(services) == 3 + 300


# The schedule.

def test_a_tick_runs_the_period_that_just_ended_as_scheduled(
        services, runner, frozen_clock):
    daily = CreditJob(runner)
    weekly = CreditJob(runner, "weekly-credit", "week")
    scheduler = JobScheduler(runner_with(runner, day=2, week=1))
    run(runner, "test-credit", "2026-01-14")
    daily.calls.clear()

    frozen_clock.freeze(at(2026, 1, 16, 0, 0, 30))
    scheduler.tick("day")
    assert daily.calls == ["2026-01-15"]
    assert weekly.calls == []
    [row] = caught_up(services).job_runs.list(job="test-credit", limit=1)
    assert (row["period"], row["trigger"]) == ("2026-01-15", "schedule")


def test_a_tick_first_retries_an_earlier_failed_period(services, runner, frozen_clock):
    daily = CreditJob(runner)
    scheduler = JobScheduler(runner_with(runner, day=3))
    daily.broken.add("2026-01-14")
    with pytest.raises(JobFailed):
        run(runner, "test-credit", "2026-01-14")
    daily.broken.clear()
    daily.calls.clear()
    run(runner, "test-credit", "2026-01-13")
    run(runner, "test-credit", "2026-01-12")
    daily.calls.clear()

    frozen_clock.freeze(at(2026, 1, 16, 0, 0, 30))
    scheduler.tick("day")
    assert daily.calls == ["2026-01-14", "2026-01-15"]
    rows = {r["period"]: r for r in caught_up(services).job_runs.list()}
    assert (rows["2026-01-14"]["trigger"], rows["2026-01-14"]["attempts"]) == (
        "catch-up", 2)
    assert rows["2026-01-15"]["trigger"] == "schedule"


def test_starting_the_scheduler_catches_up_first(services, runner, frozen_clock):
    daily = CreditJob(runner)
    scheduler = JobScheduler(runner_with(runner, day=2))
    scheduler.start()
    try:
        assert daily.calls == ["2026-01-13", "2026-01-14"]
        assert scheduler.running
        scheduler.start()  # already running: nothing more
    finally:
        scheduler.stop()
    assert not scheduler.running
    assert daily.calls == ["2026-01-13", "2026-01-14"]
    assert cash(services) == 2


def test_the_cron_triggers_fire_after_each_utc_boundary(services, runner, frozen_clock):
    scheduler = JobScheduler(runner, delays={"day": 30, "week": 60,
                                                         "month": 90})
    now = frozen_clock.now()  # Thursday 2026-01-15 12:00 UTC
    expected = {"day": at(2026, 1, 16, 0, 0, 30), "week": at(2026, 1, 19, 0, 1),
                "month": at(2026, 2, 1, 0, 1, 30)}
    for kind, when in expected.items():
        assert scheduler.trigger(kind).get_next_fire_time(None, now) == when
        assert scheduler.next_run(kind, now) == when
    february = scheduler.trigger("month").get_next_fire_time(None, at(2026, 2, 1, 0, 2))
    assert february == at(2026, 3, 1, 0, 1, 30)
    with pytest.raises(ValueError):
        JobScheduler(runner, delays={"day": 3600})


# The record and its view.

def test_the_record_is_one_aggregate_per_job_and_period(services, runner, frozen_clock):
    CreditJob(runner)
    run(runner, "test-credit", "2026-01-14")
    record = services.ledger.repository.get(job_run_key("test-credit", "2026-01-14"))
    assert isinstance(record, JobRun)
    events = services.ledger.repository.event_store.get(record.id)
    assert [type(e).__name__ for e in events] == ["Opened", "Started", "Finished"]


def test_the_job_runs_view_rebuilds_identically(services, runner, frozen_clock):
    job = CreditJob(runner)
    job.broken.add("2026-01-13")
    runner_with(runner, day=3).catch_up()
    job.broken.clear()
    run(runner, "test-credit", "2026-01-13")
    before = caught_up(services).job_runs.dump()
    services.projections.rebuild("job_runs")
    assert services.job_runs.dump() == before
    assert len(before["job_runs"]) == 2
