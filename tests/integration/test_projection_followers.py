"""Projections stay exactly-once when several followers run against one database."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import psycopg
import pytest

from api.bootstrap import bootstrap
from domain.commanding.runner import decide
from domain.commanding.unit_of_work import UnitOfWork
from domain.wallet.commands import Adjust
from projections.wallet.balances import BalancesView
from projections.engine.runner import ProjectionRunner
from projections.engine.view import View


def credit_many(services, count: int) -> None:
    for n in range(count):
        services.ledger.execute(Adjust(f"r{n}", f"p{n % 5}", "USDT", Decimal("1.000000"),
                                       "cash", "load", "fin"))


def test_two_followers_racing_apply_each_event_once(services, settings):
    """Like `serve` and `projections run` both following the same log."""
    credit_many(services, 120)
    other = bootstrap(settings)
    try:
        followers = [threading.Thread(target=s.projections.catch_up)
                     for s in (services, other, services, other)]
        for follower in followers:
            follower.start()
        for follower in followers:
            follower.join()
    finally:
        other.close()
    rows = services.balances.for_player("p0")
    assert [r["cash"] for r in rows] == [Decimal("24")]
    entries = services.ledger_entries.page("p0", limit=500)
    assert len(entries) == 24
    assert services.journal.trial_balance() == {"USDT": 0}


def test_projection_that_restarts_resumes_where_it_stopped(services, settings):
    credit_many(services, 10)
    services.projections.catch_up()
    credit_many_more = [Adjust(f"late{n}", "p0", "USDT", Decimal("2"), "cash", "load", "fin")
                        for n in range(3)]
    for command in credit_many_more:
        services.ledger.execute(command)
    restarted = bootstrap(settings)
    try:
        restarted.projections.catch_up()
        [row] = restarted.balances.for_player("p0")
    finally:
        restarted.close()
    assert row["cash"] == Decimal("8")


class BrokenView(View):
    """A view whose every batch fails, as a bug in a projection would."""

    name = "broken"
    tables = ()
    schema = ()
    order_by: dict[str, str] = {}

    def apply(self, cursor, batch):
        raise RuntimeError("this projection has a bug")


def first_position(services) -> int:
    return services.ledger.recorder.select_notifications(start=0, limit=1)[0].id


def test_a_failing_view_stops_alone_and_says_so_while_the_others_follow(services):
    credit_many(services, 5)
    db = services.balances.db
    runner = ProjectionRunner(services.ledger.recorder, services.ledger.mapper,
                              [BalancesView(db), BrokenView(db)])
    runner.catch_up(isolate=True)
    status = {row["name"]: row for row in runner.status()}
    assert status["balances"]["lag"] == 0
    assert status["broken"]["position"] == 0
    assert status["broken"]["error"] == (
        f"stopped at event {first_position(services)} (Wallet.Opened): this projection has a bug")
    with pytest.raises(RuntimeError):
        runner.catch_up(["broken"])  # without isolation the failure is raised


def test_an_event_a_view_cannot_store_stops_that_view_alone(services, settings):
    """The edges refuse a NUL; should one reach the log anyway (a bug, an old
    log), PostgreSQL views that store its text stop there and say so, while
    the others, and every reader of them, go on."""
    credit_many(services, 3)
    uow = UnitOfWork(services.ledger.repository, services.ledger.rules)
    decide(Adjust("poison", "p0", "USDT", Decimal("1"), "cash", "a \x00 b", "fin"), uow)
    services.ledger.save(*uow.changed())  # around the runner, which refuses it
    services.ledger.execute(Adjust("after", "p1", "USDT", Decimal("1"), "cash", "ok", "fin"))
    services.projections.catch_up(isolate=True)
    status = {row["name"]: row for row in services.projections.status()}
    assert status["balances"]["lag"] == 0
    assert services.balances.for_player("p1")[0]["cash"] == Decimal("2")
    failed = {name for name, row in status.items() if row["error"]}
    if settings.database_url.startswith("postgres"):
        assert failed and "balances" not in failed
    else:
        assert not failed  # SQLite stores a NUL in text


class FlakyView(View):
    """Counts events; its database connection drops on its first two batches."""

    name = "flaky"
    tables = ("flaky_seen",)
    schema = ("CREATE TABLE IF NOT EXISTS {s}flaky_seen (position BIGINT PRIMARY KEY)",)
    order_by = {"flaky_seen": "position"}
    drops = 2

    def apply(self, cursor, batch):
        if self.drops:
            self.drops -= 1
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        cursor.executemany("INSERT INTO {s}flaky_seen (position) VALUES (?)",
                           [(position,) for position, _ in batch])


def test_a_lost_connection_is_retried_while_writes_go_on_and_never_stops_the_view(services):
    """As after pg_terminate_backend under load: the view heals while commands keep
    coming, without a pause in the writes, and is never reported stopped."""
    db = services.balances.db
    runner = ProjectionRunner(services.ledger.recorder, services.ledger.mapper,
                              [BalancesView(db), FlakyView(db)], poll_interval=0.05)
    runner.start()
    try:
        healed_during_writes = False
        for n in range(200):
            services.ledger.execute(Adjust(f"w{n}", "p1", "USDT", Decimal("1"), "cash",
                                           "load", "fin"))
            status = {row["name"]: row for row in runner.status()}
            assert status["flaky"]["error"] is None
            if n > 20 and status["flaky"]["position"] > 0:
                healed_during_writes = True
                break
            time.sleep(0.01)
        assert healed_during_writes, runner.status()
    finally:
        runner.stop()
    assert runner.troubles.retries["flaky"] == 2
