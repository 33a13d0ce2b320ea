"""Group commit: many commands in one transaction, each with its own outcome."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from api.bootstrap import bootstrap
from domain.commanding.event_store import StaleReads
from domain.kernel.ids import natural_id
from domain.wallet.model import Wallet
from domain.wallet.commands import Adjust
from domain.kernel.errors import Conflict, InsufficientFunds

ONE = Decimal("1.000000")


def adjust(request_id: str, player: str, amount: str) -> Adjust:
    return Adjust(request_id, player, "USDT", Decimal(amount), "cash", "test", "fin")


def run_together(services, commands):
    """Submit all commands at once; each result or exception, in order."""
    gate = threading.Barrier(len(commands))

    def submit(command):
        gate.wait()
        try:
            return services.ledger.execute(command)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            return error

    with ThreadPoolExecutor(len(commands)) as pool:
        return list(pool.map(submit, commands))


def test_concurrent_commands_share_transactions(services):
    results = run_together(services, [adjust(f"c{n}", f"p{n % 4}", "1") for n in range(40)])
    assert all(r.position for r in results)
    runner = services.ledger.commands
    assert runner.batched == 40
    assert runner.batches < 40, "no two commands ever shared a transaction"
    wallets = [services.ledger.wallet(f"p{n}", "USDT") for n in range(4)]
    assert [w.cash for w in wallets] == [Decimal(10)] * 4


def test_a_refused_command_does_not_fail_its_batch(services):
    services.ledger.execute(adjust("seed", "p1", "5"))
    commands = [adjust(f"d{n}", "p1", "-1") for n in range(8)]
    results = run_together(services, commands)
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(accepted) == 5
    assert all(isinstance(r, InsufficientFunds) for r in refused)
    assert services.ledger.wallet("p1", "USDT").cash == 0


def test_one_request_id_twice_in_a_batch_pays_once(services):
    """Whichever payload lands first wins; the same payload replays, another conflicts."""
    same, other_payload = adjust("twice", "p1", "3"), adjust("twice", "p1", "4")
    results = run_together(services, [same, same, same, other_payload])
    fresh = [r for r in results if not isinstance(r, Exception) and not r.replayed]
    assert len(fresh) == 1
    paid = services.ledger.wallet("p1", "USDT").cash
    assert paid == fresh[0].result.cash
    for command, result in zip([same, same, same, other_payload], results):
        if command.amount == paid:
            assert not isinstance(result, Exception)
            assert result.result == fresh[0].result
        else:
            assert isinstance(result, Conflict)


def test_batch_that_loses_a_race_to_another_process_is_retried_alone(services, settings):
    """Two ledgers on one database: stale cached wallets make whole batches fail."""
    services.ledger.execute(adjust("seed", "p1", "1000"))
    other = bootstrap(settings)
    try:
        other.ledger.execute(adjust("warm", "p1", "1"))  # both caches hold p1
        # The first writer's copy of p1 is stale now: its next batch must lose
        # its save and be run again alone, whatever the timing below.
        assert services.ledger.execute(adjust("stale", "p1", "1")).position
        assert services.ledger.commands.lost_races == 1
        commands = [(services if n % 2 else other, adjust(f"r{n}", "p1", "-1"))
                    for n in range(30)]
        gate = threading.Barrier(len(commands))

        def submit(pair):
            gate.wait()
            return pair[0].ledger.execute(pair[1])

        with ThreadPoolExecutor(len(commands)) as pool:
            outcomes = list(pool.map(submit, commands))
        lost = services.ledger.commands.lost_races + other.ledger.commands.lost_races
    finally:
        other.close()
    assert lost > 0, "the two ledgers never collided; the test proved nothing"
    assert all(o.position for o in outcomes)
    assert services.ledger.wallet("p1", "USDT").cash == Decimal(1002 - 30)


def test_an_append_whose_reads_moved_saves_nothing(services):
    """The batch's reads are checked by the append itself (domain/commanding/
    event_store.py): a version that moved refuses the whole append, and the
    same append with the versions as stored goes through."""
    ledger = services.ledger
    ledger.execute(adjust("seed", "p1", "5"))
    read = ledger.wallet("p1", "USDT")
    head = ledger.head()

    def fresh_wallet():
        return Wallet(player_id="p2", currency="USDT", request_id="r", reference="")

    with pytest.raises(StaleReads):
        ledger.save(fresh_wallet(), expect={read.id: read.version - 1})
    with pytest.raises(StaleReads):  # an aggregate read as absent that exists now
        ledger.save(fresh_wallet(), expect={natural_id("nothing"): 0, read.id: 0})
    assert ledger.head() == head and ledger.wallet("p2", "USDT") is None
    ledger.save(fresh_wallet(), expect={read.id: read.version, natural_id("nothing"): 0})
    assert ledger.head() == head + 1 and ledger.wallet("p2", "USDT") is not None


def test_a_batch_decided_on_one_that_failed_is_never_committed(services, settings):
    """The decider decides batch k+1 on batch k's outcome while k commits. When k
    does not commit, k+1 must run again alone, never be saved on k's state
    (here that would leave a gap in the wallet's versions)."""
    from concurrent.futures import Future

    runner = services.ledger.commands
    services.ledger.execute(adjust("seed", "p1", "10"))  # the decider holds p1
    other = bootstrap(settings)
    try:  # a requestId the decider has never seen, stored by another process
        other.ledger.execute(adjust("taken", "p2", "3"))
    finally:
        other.close()
    # k credits p1 under that requestId with another payload: its save meets the
    # stored Request (a lost race), and alone it is a conflict that writes nothing.
    first = [(adjust("taken", "p1", "1"), Future())]
    second = [(adjust("k+1", "p1", "2"), Future())]
    decided = [runner._decide(first), runner._decide(second)]  # k+1 decided on k
    for outcome in decided:
        runner._commit(outcome)
    with pytest.raises(Conflict):
        first[0][1].result()
    assert second[0][1].result().position > 0
    assert runner.lost_races == 2  # k lost its race; k+1 was void
    wallet = services.ledger.wallet("p1", "USDT")
    assert wallet.cash == Decimal(12)
    versions = [e.originator_version for e in services.ledger.events.get(wallet.id)]
    assert versions == list(range(1, len(versions) + 1))
