"""Concurrent debits of one wallet on PostgreSQL: never an overdraft, never a double payment.

Each test runs with one command per transaction and with group commit, in one
process (threads) and in two "processes" (two bootstraps with their own caches,
locks and writers on one database), where only optimistic concurrency protects
the wallet.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest

from domain.wallet.commands import Adjust
from domain.kernel.errors import InsufficientFunds
from domain.wallet.model import Wallet, wallet_id
from tests.factories import (
    aggregate_pockets,
    all_entries,
    caught_up,
    credit,
    fresh_services,
    postgres_url,
    view_pockets,
)

pytestmark = pytest.mark.postgres_only

D = Decimal
PLAYER, CURRENCY = "whale", "USDT"
DEPOSIT, STAKE = D("100"), D("0.7")
SUCCESSES = int(DEPOSIT // STAKE)  # 142 debits fit, whatever the interleaving


@pytest.fixture(params=[0, 100], ids=["one-per-transaction", "group-commit"])
def group_commit(request) -> int:
    return request.param


@pytest.fixture
def pg_url(postgres_database) -> str:
    return postgres_url(postgres_database)


@pytest.fixture
def ledgers(pg_url, group_commit):
    """Two ledgers on the same schema, as two processes would be."""
    built = [fresh_services(pg_url, group_commit=group_commit) for _ in range(2)]
    credit(built[0], PLAYER, CURRENCY, str(DEPOSIT))
    yield built
    for services in built:
        services.close()


def debit_command(request_id: str, amount: Decimal = STAKE) -> Adjust:
    return Adjust(request_id, PLAYER, CURRENCY, -amount, "cash", "load test", "fin")


def run_threads(jobs: list[tuple[object, list[Adjust]]]) -> list[object]:
    """Each job (services, commands) in its own thread, all released at once.

    Returns every outcome or exception, in no particular order.
    """
    gate = threading.Barrier(len(jobs))
    results: list[object] = []
    lock = threading.Lock()

    def work(services, commands):
        gate.wait()
        for command in commands:
            try:
                result: object = services.ledger.execute(command)
            except Exception as error:  # noqa: BLE001 - the test inspects it
                result = error
            with lock:
                results.append(result)

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def split(results: list[object]) -> tuple[list, list, list]:
    done = [r for r in results if not isinstance(r, Exception)]
    short = [r for r in results if isinstance(r, InsufficientFunds)]
    other = [r for r in results if isinstance(r, Exception) and r not in short]
    return done, short, other


def debits_stored(services) -> list[Wallet.Debited]:
    events = services.ledger.events.get(wallet_id(PLAYER, CURRENCY))
    return [e for e in events if isinstance(e, Wallet.Debited)]


def assert_books_match(services, successes: int) -> None:
    """The wallet, its stored events and its views all say the same, and nothing overdrew."""
    wallet = services.ledger.wallet(PLAYER, CURRENCY)
    assert wallet.cash == DEPOSIT - successes * STAKE
    debits = debits_stored(services)
    assert len(debits) == successes
    assert sum(e.amount for e in debits) == successes * STAKE
    caught_up(services)
    assert view_pockets(services, PLAYER, CURRENCY) == aggregate_pockets(wallet)
    assert min(e["balanceAfter"] for e in all_entries(services, PLAYER)) >= 0


def test_sixteen_threads_debiting_one_wallet_never_overdraw(ledgers):
    services = ledgers[0]
    jobs = [(services, [debit_command(f"t{t}-d{n}") for n in range(10)]) for t in range(16)]
    done, short, other = split(run_threads(jobs))
    assert other == []
    assert (len(done), len(short)) == (SUCCESSES, 160 - SUCCESSES)
    assert sorted(o.result.cash for o in done) == [
        DEPOSIT - k * STAKE for k in range(SUCCESSES, 0, -1)], "two debits saw one balance"
    assert_books_match(services, SUCCESSES)


def test_one_request_id_sent_by_sixteen_threads_pays_once(ledgers):
    services = ledgers[0]
    jobs = [(services, [debit_command("pay-once", D(5))]) for _ in range(16)]
    done, _, other = split(run_threads(jobs))
    assert other == [] and len(done) == 16
    assert [o.replayed for o in done].count(False) == 1
    assert all(o.result == done[0].result for o in done)
    assert len({o.position for o in done}) == 1
    assert services.ledger.wallet(PLAYER, CURRENCY).cash == DEPOSIT - 5
    assert len(debits_stored(services)) == 1


def test_two_processes_debiting_one_wallet_never_overdraw(ledgers):
    """Separate caches, locks and writers: only optimistic concurrency guards the wallet."""
    jobs = [(services, [debit_command(f"p{p}-t{t}-d{n}") for n in range(10)])
            for p, services in enumerate(ledgers) for t in range(8)]
    done, short, other = split(run_threads(jobs))
    assert other == []
    assert (len(done), len(short)) == (SUCCESSES, 160 - SUCCESSES)
    assert len({o.result.cash for o in done}) == SUCCESSES, "two debits saw one balance"
    for services in ledgers:
        assert_books_match(services, SUCCESSES)


def test_one_request_id_sent_to_two_processes_pays_once(ledgers):
    jobs = [(services, [debit_command("pay-once", D(5))]) for services in ledgers for _ in range(4)]
    done, _, other = split(run_threads(jobs))
    assert other == [] and len(done) == 8
    assert [o.replayed for o in done].count(False) == 1
    assert all(o.result == done[0].result for o in done)
    assert len(debits_stored(ledgers[1])) == 1
    assert ledgers[1].ledger.wallet(PLAYER, CURRENCY).cash == DEPOSIT - 5


def test_retry_refused_by_its_own_first_run_in_another_process_is_a_replay(ledgers):
    """Deterministic form of the race below: the other process commits the same request
    after this one looked the request up and before it reads the wallet."""
    rival = ledgers[0]

    @dataclass(frozen=True)
    class DebitAfterRival(Adjust):
        def decide(self, uow):
            rival.ledger.execute(Adjust(**dataclasses.asdict(self)))
            return super().decide(uow)

    first = DebitAfterRival("withdraw-all", PLAYER, CURRENCY, -DEPOSIT, "cash", "all", "fin")
    outcome = ledgers[1].ledger.execute(first)
    assert outcome.replayed and outcome.result.cash == 0
    assert len(debits_stored(rival)) == 1


def test_retries_of_a_debit_of_everything_all_get_its_result(ledgers):
    """A retry that finds the wallet emptied by its own first run is a replay, not a refusal.

    The window (request looked up, then the first run commits, then the wallet is read)
    is narrow, so the race is run several times.
    """
    rounds = 12
    for attempt in range(rounds):
        if attempt:
            credit(ledgers[0], PLAYER, CURRENCY, str(DEPOSIT))
        jobs = [(services, [debit_command(f"withdraw-all-{attempt}", DEPOSIT)])
                for services in ledgers for _ in range(6)]
        done, _, other = split(run_threads(jobs))
        assert other == [] and len(done) == 12
        assert all(o.result == done[0].result and o.result.cash == 0 for o in done)
    assert len(debits_stored(ledgers[0])) == rounds
