"""Two cashback runs of one period at once on PostgreSQL credit each player once.

Two ledgers on one schema stand for two processes (a scheduler and an
operator's manual run, or two schedulers). Their job actions run at the same
moment, bypassing the run record's "already running" guard, so only the
CashbackPeriod's natural id and optimistic concurrency stand between the
players and a double payment. Then both try the guarded path at once.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from domain.commanding.runner import Outcome
from domain.kernel.errors import Conflict
from domain.kernel.periods import Period
from tests.factories import (
    add_game,
    caught_up,
    credit,
    fresh_services,
    place_bet,
    postgres_url,
    set_vip_level,
    settle_bet,
)

pytestmark = pytest.mark.postgres_only

D = Decimal
PLAYERS = [f"p{n}" for n in range(12)]
WEEK = Period.parse("2026-W03")


@pytest.fixture(params=[0, 100], ids=["one-per-transaction", "group-commit"])
def ledgers(request, postgres_database, frozen_clock):
    url = postgres_url(postgres_database)
    built = [fresh_services(url, group_commit=request.param) for _ in range(2)]
    first = built[0]
    add_game(first)
    for n, player in enumerate(PLAYERS):
        credit(first, player, "USDT", "10000")
        set_vip_level(first, player, ("Silver", "Platinum")[n % 2])
        settle_bet(first, place_bet(first, player, "1000").result.bet_id, "LOSS")
    frozen_clock.freeze(datetime(2026, 1, 19, 0, 1, tzinfo=timezone.utc))
    yield built
    for services in built:
        services.close()


def at_once(*calls):
    gate = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(n, call):
        gate.wait()
        try:
            results[n] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[n] = error

    threads = [threading.Thread(target=work, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def credits(services, player: str) -> list:
    wallet = services.ledger.wallet(player, "USDT")
    return [e for e in services.ledger.events.get(wallet.id)
            if getattr(e, "tag", "") == "CASHBACK"]


def test_two_job_actions_at_once_credit_every_player_once(ledgers):
    results = at_once(*[lambda s=s: s.jobs.get("cashback-vip").action(WEEK)
                        for s in ledgers])
    assert not any(isinstance(r, Exception) for r in results), results
    for n, player in enumerate(PLAYERS):
        assert [c.amount for c in credits(ledgers[0], player)] == [
            D(100) if n % 2 == 0 else D(200)]
    assert caught_up(ledgers[0]).journal.trial_balance() == {"USDT": 0}
    rows = ledgers[0].cashback_log.rows(period=str(WEEK), limit=100)
    assert len(rows) == len(PLAYERS) and {r["status"] for r in rows} == {"credited"}


def test_two_guarded_runs_at_once_run_once_or_one_after_the_other(ledgers):
    results = at_once(*[lambda s=s: s.job_runner.run("cashback-vip", WEEK)
                        for s in ledgers])
    succeeded = [r.result for r in results if isinstance(r, Outcome)]
    assert succeeded and all(isinstance(r, (Outcome, Conflict)) for r in results), results
    assert sum(r.summary["changed"] for r in succeeded) == len(PLAYERS)
    assert all(len(credits(ledgers[1], p)) == 1 for p in PLAYERS)
