"""Bets racing on PostgreSQL: a wallet never overspent, a bet never paid twice.

Each test runs with one command per transaction and with group commit, and
with two ledgers on one database ("two processes", each with its own cache,
locks and writer), where only optimistic concurrency guards the aggregates.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from domain.betting.model import Bet
from domain.kernel.errors import Conflict
from domain.players.model import BetRejected
from domain.wallet.model import Wallet, wallet_id
from tests.factories import (
    add_game,
    aggregate_pockets,
    all_entries,
    bet_command,
    bet_of,
    caught_up,
    credit,
    fresh_services,
    in_threads,
    place_bet,
    postgres_url,
    settle_command,
    view_pockets,
)

pytestmark = pytest.mark.postgres_only

D = Decimal
PLAYER, CURRENCY = "whale", "USDT"
FUNDS, STAKE = D(100), D("0.7")
FITS = int(FUNDS // STAKE)  # 142 stakes of 0.7 fit in 100, whatever the interleaving


@pytest.fixture(params=[0, 100], ids=["one-per-transaction", "group-commit"])
def group_commit(request) -> int:
    return request.param


@pytest.fixture
def ledgers(postgres_database, group_commit):
    """Two ledgers on one schema, as two processes would be; the player has 100 USDT."""
    url = postgres_url(postgres_database)
    built = [fresh_services(url, group_commit=group_commit) for _ in range(2)]
    add_game(built[0])
    credit(built[0], PLAYER, CURRENCY, str(FUNDS))
    yield built
    for services in built:
        services.close()


def split(results: list) -> tuple[list, list, list]:
    """Outcomes, INSUFFICIENT_FUNDS rejections, and anything else that went wrong."""
    done = [r for r in results if not isinstance(r, Exception)]
    short = [r for r in results
             if isinstance(r, BetRejected) and r.reason == "INSUFFICIENT_FUNDS"]
    other = [r for r in results if isinstance(r, Exception) and r not in short]
    return done, short, other


def stored(services, aggregate_id, event_type) -> list:
    return [e for e in services.ledger.events.get(aggregate_id) if isinstance(e, event_type)]


def assert_held(services, accepted: int) -> None:
    """The wallet holds exactly the accepted stakes, and every view agrees."""
    wallet = services.ledger.wallet(PLAYER, CURRENCY)
    assert (wallet.cash, wallet.locked) == (FUNDS, accepted * STAKE)
    assert wallet.available >= 0 and len(wallet.holds) == accepted
    assert len(stored(services, wallet_id(PLAYER, CURRENCY), Wallet.Held)) == accepted
    caught_up(services)
    assert view_pockets(services, PLAYER, CURRENCY) == aggregate_pockets(wallet)
    assert min(e["balanceAfter"] for e in all_entries(services, PLAYER)) >= 0
    assert all(t == 0 for t in services.journal.trial_balance().values())


# Placing bets at once.

def test_sixteen_threads_betting_one_wallet_never_overspend(ledgers):
    services = ledgers[0]
    jobs = [(services, [bet_command(PLAYER, str(STAKE), request_id=f"t{t}-b{n}")
                        for n in range(10)]) for t in range(16)]
    done, short, other = split(in_threads(jobs))
    assert other == []
    assert (len(done), len(short)) == (FITS, 160 - FITS)
    assert sorted(o.result.cash_after for o in done) == [
        FUNDS - k * STAKE for k in range(FITS, 0, -1)], "two bets saw one balance"
    assert_held(services, FITS)


def test_two_processes_betting_one_wallet_never_overspend(ledgers):
    jobs = [(services, [bet_command(PLAYER, str(STAKE), request_id=f"p{p}-t{t}-b{n}")
                        for n in range(10)])
            for p, services in enumerate(ledgers) for t in range(8)]
    done, short, other = split(in_threads(jobs))
    assert other == []
    assert (len(done), len(short)) == (FITS, 160 - FITS)
    assert len({o.result.cash_after for o in done}) == FITS, "two bets saw one balance"
    for services in ledgers:
        assert_held(services, FITS)


def test_a_bet_retried_by_eight_threads_of_two_processes_is_accepted_once(ledgers):
    """A retry racing its first attempt gets the first result, never a refusal.

    Each of ten players has exactly one stake: a retry that reads the wallet after
    the first attempt committed must find that attempt, not an open hold or an
    empty wallet. Ten bets make the race all but certain to happen.
    """
    players = [f"p{n}" for n in range(10)]
    for player in players:
        credit(ledgers[0], player, CURRENCY, "5")
    commands = [bet_command(player, "5", request_id=f"bet-{player}") for player in players]
    results = in_threads([(s, commands) for s in ledgers for _ in range(4)])
    assert [r for r in results if isinstance(r, Exception)] == []
    by_bet = {}
    for outcome in results:
        by_bet.setdefault(outcome.result.bet_id, []).append(outcome)
    assert len(by_bet) == 10
    for outcomes in by_bet.values():
        assert [o.replayed for o in outcomes].count(False) == 1
        assert all(o.result == outcomes[0].result for o in outcomes)
    for player in players:
        assert ledgers[1].ledger.wallet(player, CURRENCY).locked == D(5)


# Settling one bet at once.

def payouts(services, bet_id: str) -> list[Wallet.Credited]:
    return [e for e in stored(services, wallet_id(PLAYER, CURRENCY), Wallet.Credited)
            if e.tag == "PAYOUT" and e.reference == bet_id]


WAYS = [("WIN", "25"), ("LOSS", "0"), ("WIN", "40"), ("VOID", "0")]
RACES = 5  # bets raced one after the other: the interleavings vary from race to race


def race(ledgers, ways: list[tuple[str, str]]) -> tuple[str, list[tuple[tuple, object]]]:
    """Place a 10 USDT bet, then settle it from 16 threads of two processes at once,
    each its own request, the n-th thread the n-th way (cycling). Returns the bet
    and each thread's (way, Outcome or error)."""
    bet_id = place_bet(ledgers[0], PLAYER, "10").result.bet_id
    sent = [ways[n % len(ways)] for n in range(16)]
    jobs = [(ledgers[n % 2], [settle_command(ledgers[0], bet_id, *way,
                                             request_id=f"{bet_id}-{n}")])
            for n, way in enumerate(sent)]
    return bet_id, list(zip(sent, in_threads(jobs)))


def recorded(way: tuple[str, str]) -> tuple[str, Decimal]:
    return way[0], D(way[1]) if way[0] == "WIN" else D(0)


def assert_settled_once(ledgers, bet_id: str, way: tuple[str, Decimal]) -> None:
    """Settled one way, by one event; paid (if a win) once; the hold gone."""
    outcome, payout = way
    for services in ledgers:
        bet = bet_of(services, bet_id)
        assert (bet.status, bet.outcome, bet.payout) == ("SETTLED", outcome, payout)
        assert len(stored(services, bet.id, Bet.Settled)) == 1
        assert [e.amount for e in payouts(services, bet_id)] == (
            [payout] if outcome == "WIN" else [])
        assert bet.hold_id not in services.ledger.wallet(PLAYER, CURRENCY).holds


def test_sixteen_settlements_of_one_win_pay_it_once(ledgers):
    credit(ledgers[0], PLAYER, CURRENCY, str(RACES * 10))
    for _ in range(RACES):
        bet_id, _ = race(ledgers, [("WIN", "25")])
        assert_settled_once(ledgers, bet_id, ("WIN", D(25)))
    for services in ledgers:
        wallet = services.ledger.wallet(PLAYER, CURRENCY)
        assert (wallet.cash, wallet.locked) == (FUNDS + RACES * 25, 0)


def test_racing_settlements_of_one_bet_settle_it_one_way_only(ledgers):
    credit(ledgers[0], PLAYER, CURRENCY, str(RACES * 10))
    expected_cash = FUNDS + RACES * 10
    for _ in range(RACES):
        bet_id, results = race(ledgers, WAYS)
        settled = bet_of(ledgers[0], bet_id)
        assert_settled_once(ledgers, bet_id, (settled.outcome, settled.payout))
        expected_cash += {"WIN": settled.payout - 10, "LOSS": D(-10), "VOID": D(0)}[
            settled.outcome]
        for services in ledgers:
            wallet = services.ledger.wallet(PLAYER, CURRENCY)
            assert (wallet.cash, wallet.locked) == (expected_cash, 0)
        caught_up(ledgers[0])
        assert all(t == 0 for t in ledgers[0].journal.trial_balance().values())


def test_a_settlement_repeating_the_one_that_won_the_race_is_not_refused(ledgers):
    """Settling again the same way is a no-op: it must succeed even when it raced the
    settlement it repeats. Only a settlement another way is refused, as a conflict."""
    races = 2 * RACES  # the window is narrow: race often enough to meet it
    credit(ledgers[0], PLAYER, CURRENCY, str(races * 10))
    wrong = []
    for _ in range(races):
        bet_id, results = race(ledgers, WAYS)
        bet = bet_of(ledgers[0], bet_id)
        for way, result in results:
            same = recorded(way) == (bet.outcome, bet.payout)
            if same and isinstance(result, Exception):
                wrong.append((way, "refused", repr(result)))
            elif not same and not isinstance(result, Conflict):
                wrong.append((way, "not a conflict", repr(result)))
    assert wrong == []


def test_a_writer_never_decides_on_a_copy_another_process_made_stale(ledgers):
    """The group-commit writer keeps what it read and saved, and decides on those
    copies without a query; a change by another process (here, a self-exclusion
    of the player, an aggregate the bet only reads) is seen all the same."""
    from datetime import datetime, timedelta, timezone

    from domain.players.commands import SetLimits

    first, second = ledgers
    assert place_bet(first, PLAYER, "1").result.status == "ACCEPTED"
    second.ledger.execute(SetLimits(
        player_id=PLAYER, self_excluded_until=datetime.now(timezone.utc) + timedelta(days=1),
        daily_loss_limits=(), actor="ops", reason="asked for a break"))
    with pytest.raises(BetRejected) as refused:
        place_bet(first, PLAYER, "1")
    assert refused.value.reason == "SELF_EXCLUDED"
