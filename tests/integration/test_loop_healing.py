"""The scheduler's loops heal on PostgreSQL: their connections terminated under them
(pg_terminate_backend, as a restart or a failover does), the schedule, the deposit
watch and the withdrawal worker retry with back-off, count it, and get through;
none is left dead or reported stopped. So does the group-commit writer: its
callers get the fault as their answer, and it writes the next batch."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar
from urllib.parse import urlparse
from uuid import uuid4

import psycopg
import pytest
from eth_account import Account

from api.config.settings import Settings
from domain.commanding.runner import Outcome
from domain.wallet.commands import Adjust
from domain.kernel.periods import Period
from projections.engine.trouble import transient
from schedulers.jobs.catalogue import Job, JobCatalogue
from schedulers.jobs.runner import JobRunner
from schedulers.jobs.service import JobScheduler
from tests.cashier_chains import evm_services
from tests.chains.evm import EthTesterEvm
from tests.conftest import TEST_SECRET
from tests.factories import postgres_url

pytestmark = pytest.mark.postgres_only
D = Decimal


def terminate_others(database_url: str) -> int:
    """End every other connection to the test's database; how many were ended."""
    url = urlparse(database_url)._replace(query="").geturl()
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]


@pytest.fixture
def settings(postgres_database) -> Settings:
    """PostgreSQL only: pg_terminate_backend is its own."""
    return Settings(database_url=postgres_url(postgres_database), secret=TEST_SECRET)


def loop(scheduler: JobScheduler, name: str) -> dict:
    return next(s for s in scheduler.loops.status() if s["name"] == name)


def test_the_deposit_watch_and_withdrawal_worker_get_through_terminated_connections(
        settings, tmp_path):
    evm = EthTesterEvm()
    services = evm_services(settings, tmp_path, evm)
    scheduler = services.scheduler
    watch, send = scheduler.pollers
    try:
        services.cashier.watch()
        address = services.cashier.deposit_address("p1", "ETH").result.address
        evm.pay(address, D(3))
        evm.mine(11)
        assert terminate_others(settings.database_url) > 0
        [watched] = scheduler.poll(watch)
        assert watched["credited"] == 1
        assert services.ledger.wallet("p1", "ETH").cash == 3
        services.cashier.request_withdrawal(
            request_id="w-1", player_id="p1", currency="ETH", amount=D(1),
            destination=Account.create().address, requested_by="p1")
        assert terminate_others(settings.database_url) > 0
        [sent] = scheduler.poll(send)  # its first step reads the withdrawals view
        assert (sent["signed"], sent["broadcast"]) == (1, 1)
        assert loop(scheduler, "withdrawal-send")["retries"] >= 1
        for name in ("deposit-watch", "withdrawal-send"):
            assert loop(scheduler, name)["error"] is None
    finally:
        services.close()


def test_a_job_whose_connection_drops_is_run_again_on_the_same_tick(
        services, settings, frozen_clock):
    """The first attempt meets a terminated connection and is recorded failed; the
    tick retries with back-off instead of waiting a day for the next one."""
    now = frozen_clock.now()
    frozen_clock.freeze(now - timedelta(days=2))
    services.ledger.execute(Adjust("history", "p1", "USDT", D(1), "cash", "history", "fin"))
    frozen_clock.freeze(now)
    attempts = []

    def action(period: Period) -> dict:
        attempts.append(str(period))
        if len(attempts) == 1:
            terminate_others(settings.database_url)
        services.projections.catch_up(["balances"])  # through the view database
        return {"balances": len(services.balances.for_player("p1"))}

    runner = JobRunner(services.ledger, JobCatalogue([Job("count", "day", action, "")]),
                       frozen_clock)
    scheduler = JobScheduler(runner)
    scheduler.tick("day")
    yesterday = Period.containing("day", now).previous()
    assert runner.succeeded("count", yesterday)
    assert runner.succeeded("count", yesterday.previous())
    assert loop(scheduler, "schedule")["retries"] >= 1
    assert loop(scheduler, "schedule")["error"] is None


def test_the_schedule_itself_gets_through_terminated_connections(
        services, settings, frozen_clock):
    """The real daily jobs of every feature, after the ledger's connections ended
    (the library retries some reads itself: whatever reaches the loop is retried)."""
    now = frozen_clock.now()
    frozen_clock.freeze(now - timedelta(days=1))
    services.ledger.execute(Adjust("history", "p1", "USDT", D(1), "cash", "history", "fin"))
    frozen_clock.freeze(now)
    assert terminate_others(settings.database_url) > 0
    services.scheduler.tick("day")
    yesterday = Period.containing("day", now).previous()
    daily = services.jobs.of_kind("day")
    assert daily and all(services.job_runner.succeeded(j.name, yesterday) for j in daily)
    assert loop(services.scheduler, "schedule")["error"] is None


@dataclass(frozen=True)
class DropsTheDatabase:
    """Reads an aggregate it does not write (so the batch checks it was not moved),
    and ends the ledger's connections while it decides, as a restart would."""

    database_url: str
    request_id: str | None = None
    kind: ClassVar[str] = "drop-the-database"
    partition: ClassVar[str] = "drop"

    def decide(self, uow) -> None:
        uow.find(uuid4())
        terminate_others(self.database_url)


def test_the_group_commit_writer_answers_its_batch_and_outlives_a_dropped_connection(
        services, settings):
    """Whatever the fault reaches (the batch's check, the head read after it), the
    caller gets an answer, a result or the fault itself, and the next command is
    written."""
    outcome: list = []
    caller = threading.Thread(target=lambda: outcome.append(
        raised(lambda: services.ledger.execute(DropsTheDatabase(settings.database_url)))))
    caller.start()
    caller.join(timeout=20)
    assert not caller.is_alive(), "the caller was left waiting for its batch"
    [answer] = outcome
    assert isinstance(answer, Outcome) or transient(answer), answer
    done = services.ledger.execute(Adjust("after", "p1", "USDT", D(1), "cash", "x", "fin"))
    assert done.position is not None  # the writer is alive and writes


def raised(action) -> object:
    try:
        return action()
    except Exception as error:  # noqa: BLE001 - the test looks at it
        return error
