"""The schedule: APScheduler ticks in UTC that run each job for the period that ended.

Daily jobs tick at 00:00 UTC, weekly jobs on Monday at 00:00 UTC, monthly jobs
on the 1st at 00:00 UTC, each a few seconds later (`delays`), so that events
stamped just before midnight have landed; the default delays also order the
kinds on a shared boundary (day, then week, then month). A tick runs, for each
job of its kind, the period that just ended and any earlier one in the
lookback that has no succeeded run, oldest first.

`start()` first catches up (in the caller's thread, so `serve` answers only
once the missed runs are done and the log is quiet again), then ticks. Ticks
run one at a time on the scheduler's single worker.

Every tick and poll heals (schedulers/jobs/healing.py): a database fault in a
tick is retried with back-off until the catch-up is done, one in a poll within
the poller's interval; `loops` counts the retries and names where a loop
stopped, for `/healthz` and the metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from domain.kernel.periods import DAY, KINDS, MONTH, WEEK, Period
from schedulers.jobs.healing import Loops
from schedulers.jobs.pollers import Poller
from schedulers.jobs.runner import JobRunner

log = logging.getLogger(__name__)

DELAYS = {DAY: 30, WEEK: 60, MONTH: 90}
BOUNDARY = {DAY: {}, WEEK: {"day_of_week": "mon"}, MONTH: {"day": 1}}
ADVERB = {DAY: "daily", WEEK: "weekly", MONTH: "monthly"}
# A tick that could not fire on time (the process was busy or suspended) still
# runs within this many seconds; later, the next start-up's catch-up runs it.
MISFIRE_GRACE = 3600


class JobScheduler:
    def __init__(self, runner: JobRunner, *, delays: Mapping[str, int] = DELAYS,
                 pollers: Sequence[Poller] = ()):
        self.runner = runner
        self.pollers = list(pollers)
        self.delays = {**DELAYS, **delays}
        for kind, delay in self.delays.items():
            if not 0 <= delay < 3600:
                raise ValueError(f"the {kind} delay must be 0 to 3599 seconds")
        self._scheduler: BackgroundScheduler | None = None
        self.loops = Loops()
        for name in ["schedule", *(poller.name for poller in self.pollers)]:
            self.loops.known(name)

    def trigger(self, kind: str) -> CronTrigger:
        minute, second = divmod(self.delays[kind], 60)
        return CronTrigger(hour=0, minute=minute, second=second, timezone=timezone.utc,
                           **BOUNDARY[kind])

    def next_run(self, kind: str, now: datetime) -> datetime:
        """When the schedule next runs jobs of `kind`: the current period's end + delay."""
        return Period.containing(kind, now).end + timedelta(seconds=self.delays[kind])

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def start(self) -> None:
        """Catch up missed runs, then tick on the schedule."""
        if self.running:
            return
        self.loops.resume()
        self.catch_up()
        scheduler = BackgroundScheduler(
            timezone=timezone.utc, executors={"default": ThreadPoolExecutor(1),
                                              "pollers": ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": MISFIRE_GRACE})
        for kind in KINDS:
            scheduler.add_job(self.tick, self.trigger(kind), args=[kind],
                              id=f"tick-{kind}", name=f"{ADVERB[kind]} jobs")
        for poller in self.pollers:  # the chain loops, every few seconds
            scheduler.add_job(self.poll, IntervalTrigger(seconds=poller.seconds), args=[poller],
                              id=f"poll-{poller.name}", name=poller.name,
                              executor="pollers")
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started with %d jobs", len(self.runner.catalogue))

    def stop(self) -> None:
        """Stop ticking; a job that is running is let finish (its retries end)."""
        self.loops.stop()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self._scheduler = None

    def catch_up(self) -> None:
        try:
            records = self.runner.catch_up()
        except Exception:  # noqa: BLE001 - the ticks go on; the next start retries
            log.exception("catching up missed job runs failed")
        else:
            log.info("caught up %d missed job runs", len(records))

    def tick(self, kind: str) -> None:
        """Run the period that just ended (and any missed), until the database lets it."""
        now = self.runner.clock.now()
        self.loops.run("schedule", lambda: self.runner.catch_up(
            now, self.runner.catalogue.of_kind(kind),
            scheduled=Period.containing(kind, now).previous()))

    def poll(self, poller: Poller) -> Any:
        """One step of a chain loop; its result, or None if it did not get through."""
        return self.loops.run(poller.name, poller.action, within=poller.seconds)
