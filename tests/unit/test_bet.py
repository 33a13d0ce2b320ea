"""The Bet aggregate and the betting helpers' money rules, without a database.

A bet is OPEN when placed; SETTLED (WIN, LOSS, PUSH, VOID), REFUNDED or
CANCELLED after. A rollback undoes one step. Replays (event by event, and
through an in-memory eventsourcing application) give the same bet back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from eventsourcing.application import Application

from domain.betting.model import CANCELLED, OPEN, REFUNDED, SETTLED, Bet, bet_key
from domain.betting.commands import (
    BetOutcome,
    checked_payout,
    fund,
    open_bet_stakes,
    split_payout,
)
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.money import Currencies
from domain.players.model import BetRejected
from domain.rules import Rules
from domain.commanding.unit_of_work import UnitOfWork
from tests.factories import PROVIDER, new_bet, open_wallet

D = Decimal
POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
RULES = Rules(currencies=Currencies({"USDT": 6, "BTC": 8}))


def bet_state(bet: Bet) -> dict:
    return {name: getattr(bet, name) for name in (
        "id", "version", "provider", "player_id", "game_id", "round_id", "currency",
        "stake", "cash_part", "bonus_part", "rtp", "category", "game_provider",
        "house_game", "status", "outcome", "payout", "cash_payout", "bonus_payout")}


def settle(bet: Bet, outcome: str, payout: str = "0", cash: str | None = None,
           bonus: str = "0", request_id: str = "settle-1") -> None:
    bet.settle(outcome, D(payout), cash_payout=D(payout if cash is None else cash),
               bonus_payout=D(bonus), request_id=request_id)


def offline_uow() -> UnitOfWork:
    """Enough of a unit of work for the helpers that only read the currencies."""
    return UnitOfWork(repository=None, rules=RULES)  # type: ignore[arg-type]


# Placement.

def test_placed_bet_is_open_and_snapshots_its_game():
    bet = new_bet("12.5", cash="10", bonus="2.5", rtp="96.5")
    assert (bet.status, bet.outcome, bet.payout) == (OPEN, None, D(0))
    assert (bet.stake, bet.cash_part, bet.bonus_part) == (D("12.5"), D(10), D("2.5"))
    assert (bet.rtp, bet.category, bet.game_provider, bet.house_game) == (
        D("96.5"), "dice", "Originals", True)
    assert bet.hold_id == str(bet.id)


def test_bet_id_is_the_providers_request_so_a_retry_finds_the_same_bet():
    assert new_bet(request_id="r-1").id == new_bet(request_id="r-1").id == bet_key(
        PROVIDER, "r-1")
    assert bet_key(PROVIDER, "r-1") != bet_key(PROVIDER, "r-2")
    assert bet_key(PROVIDER, "r-1") != bet_key("other-provider", "r-1")


# Settlement.

def test_won_bet_records_outcome_payout_and_its_split():
    bet = new_bet("10", cash="6", bonus="4")
    settle(bet, "WIN", "25", cash="15", bonus="10")
    assert (bet.status, bet.outcome, bet.payout) == (SETTLED, "WIN", D(25))
    assert (bet.cash_payout, bet.bonus_payout) == (D(15), D(10))
    assert bet.net_loss == D(-15)


@pytest.mark.parametrize("outcome, payout, net_loss", [
    ("WIN", "4", "6"), ("LOSS", "0", "10"), ("PUSH", "0", "0"), ("VOID", "0", "0")])
def test_net_loss_of_each_outcome(outcome, payout, net_loss):
    bet = new_bet("10")
    settle(bet, outcome, payout)
    assert bet.net_loss == D(net_loss)


def test_settled_as_tells_a_repeat_from_another_settlement():
    bet = new_bet("10")
    assert not bet.settled_as("LOSS", D(0))
    settle(bet, "WIN", "20")
    assert bet.settled_as("WIN", D(20))
    assert bet.settled_as("WIN", D("20.000000"))
    assert not bet.settled_as("WIN", D(21))
    assert not bet.settled_as("LOSS", D(0))


@pytest.mark.parametrize("outcome", ["WIN", "LOSS", "PUSH", "VOID"])
def test_settled_bet_cannot_be_settled_again_and_records_nothing(outcome):
    bet = new_bet("10")
    settle(bet, "LOSS")
    events = len(bet.pending_events)
    with pytest.raises(Conflict):
        settle(bet, outcome, "20" if outcome == "WIN" else "0", request_id="settle-2")
    assert len(bet.pending_events) == events
    assert (bet.status, bet.outcome) == (SETTLED, "LOSS")


@pytest.mark.parametrize("finish", ["refund", "roll_back"])
def test_refunded_or_cancelled_bet_cannot_be_settled(finish):
    bet = new_bet("10")
    getattr(bet, finish)(request_id="r-2", **({"reason": "x"} if finish == "refund" else {}))
    with pytest.raises(Conflict):
        settle(bet, "WIN", "20")
    assert bet.status in (REFUNDED, CANCELLED)


# Refund and rollback.

@pytest.mark.parametrize("before", [None, "LOSS"])
def test_refund_marks_the_bet_refunded_and_records_where_it_was(before):
    bet = new_bet("10")
    if before:
        settle(bet, before)
    bet.refund(request_id="refund-1", reason="round cancelled")
    assert bet.status == REFUNDED
    refunded = bet.pending_events[-1]
    assert (refunded.previous_status, refunded.reason, refunded.request_id) == (
        SETTLED if before else OPEN, "round cancelled", "refund-1")


def test_rollback_of_a_settlement_reopens_the_bet_with_nothing_paid():
    bet = new_bet("10", cash="7", bonus="3")
    settle(bet, "WIN", "30", cash="21", bonus="9")
    bet.roll_back(request_id="rb-1")
    assert bet.pending_events[-1].stage == "SETTLEMENT"
    assert (bet.status, bet.outcome, bet.payout, bet.cash_payout, bet.bonus_payout) == (
        OPEN, None, D(0), D(0), D(0))
    assert (bet.cash_part, bet.bonus_part) == (D(7), D(3))


def test_rollback_of_an_open_bet_cancels_it():
    bet = new_bet("10")
    bet.roll_back(request_id="rb-1")
    assert bet.pending_events[-1].stage == "PLACEMENT"
    assert bet.status == CANCELLED


def test_reopened_bet_can_be_settled_another_way():
    bet = new_bet("10")
    settle(bet, "WIN", "20")
    bet.roll_back(request_id="rb-1")
    settle(bet, "LOSS", request_id="settle-2")
    assert (bet.status, bet.outcome, bet.net_loss) == (SETTLED, "LOSS", D(10))


@pytest.mark.parametrize("finish", ["refund", "roll_back"])
def test_refunded_or_cancelled_bet_cannot_be_rolled_back(finish):
    bet = new_bet("10")
    getattr(bet, finish)(request_id="r-2", **({"reason": "x"} if finish == "refund" else {}))
    events = len(bet.pending_events)
    with pytest.raises(Conflict):
        bet.roll_back(request_id="rb-2")
    assert len(bet.pending_events) == events


# Replay.

def busy_bet() -> Bet:
    """Placed, won, rolled back, lost, refunded."""
    bet = new_bet("10", cash="4", bonus="6")
    settle(bet, "WIN", "25", cash="10", bonus="15")
    bet.roll_back(request_id="rb-1")
    settle(bet, "LOSS", request_id="settle-2")
    bet.refund(request_id="refund-1", reason="provider refund")
    return bet


def test_state_after_each_event_is_rebuilt_from_the_events_alone():
    bet = new_bet("10", cash="4", bonus="6")
    live = [bet_state(bet)]
    settle(bet, "WIN", "25", cash="10", bonus="15")
    live.append(bet_state(bet))
    bet.roll_back(request_id="rb-1")
    live.append(bet_state(bet))
    settle(bet, "LOSS", request_id="settle-2")
    live.append(bet_state(bet))
    bet.refund(request_id="refund-1", reason="provider refund")
    live.append(bet_state(bet))
    state, replayed = None, []
    for event in bet.pending_events:
        state = event.mutate(state)
        replayed.append(bet_state(state))
    assert replayed == live
    assert [s["status"] for s in replayed] == [OPEN, SETTLED, OPEN, SETTLED, REFUNDED]


def test_bet_saved_and_read_back_through_an_application_is_the_same():
    app = Application(env=POPO)
    bet = busy_bet()
    app.save(bet)
    read = app.repository.get(bet.id)
    assert bet_state(read) == bet_state(bet)
    assert read.version == 5
    assert isinstance(read.stake, Decimal) and isinstance(read.bonus_payout, Decimal)


# Funding a stake.

@pytest.mark.parametrize("policy, cash, bonus, stake, parts", [
    ("cash_first", "10", "10", "4", ("4", "0")),
    ("cash_first", "10", "10", "13", ("10", "3")),
    ("cash_first", "0", "10", "10", ("0", "10")),
    ("bonus_first", "10", "10", "4", ("0", "4")),
    ("bonus_first", "10", "10", "13", ("3", "10")),
    ("bonus_first", "10", "0", "10", ("10", "0")),
])
def test_funding_policy_decides_the_cash_and_bonus_parts(policy, cash, bonus, stake, parts):
    wallet = open_wallet("p1", "USDT", cash=cash, bonus=bonus)
    assert fund(D(stake), wallet, policy) == (D(parts[0]), D(parts[1]))


@pytest.mark.parametrize("policy", ["cash_first", "bonus_first"])
def test_stake_beyond_cash_and_bonus_together_is_insufficient_funds(policy):
    wallet = open_wallet("p1", "USDT", cash="10", bonus="5")
    with pytest.raises(BetRejected) as refused:
        fund(D("15.000001"), wallet, policy)
    assert refused.value.reason == "INSUFFICIENT_FUNDS"
    assert fund(D(15), wallet, policy) == (D(10), D(5))


def test_funding_counts_only_what_is_not_already_held():
    wallet = open_wallet("p1", "USDT", cash="10", bonus="5")
    wallet.hold("other", cash=D(8), bonus=D(4), request_id="r", reference="other")
    assert fund(D(3), wallet, "cash_first") == (D(2), D(1))
    with pytest.raises(BetRejected):
        fund(D("3.000001"), wallet, "cash_first")


def test_open_bet_stakes_count_bet_holds_but_not_withdrawal_locks():
    wallet = open_wallet("p1", "USDT", cash="100", bonus="20")
    wallet.hold("b1", cash=D(10), bonus=D(5), request_id="r1", reference="b1")
    wallet.hold("b2", cash=D(3), request_id="r2", reference="b2")
    wallet.lock("w1", D(50), request_id="r3", reference="withdrawal")
    assert open_bet_stakes(wallet) == D(18)


# The payout a settlement records, and how it splits.

@pytest.mark.parametrize("outcome, payout, recorded", [
    ("WIN", "25.5", "25.5"), ("WIN", "0.000001", "0.000001"),
    ("LOSS", "0", "0"), ("PUSH", "0", "0"), ("PUSH", "10", "0"),
    ("VOID", "0", "0"), ("VOID", "10", "0")])
def test_checked_payout_of_each_outcome(outcome, payout, recorded):
    assert checked_payout(offline_uow(), new_bet("10"),
                          BetOutcome("x", outcome, D(payout))) == D(recorded)


@pytest.mark.parametrize("outcome, payout", [
    ("WIN", "0"), ("WIN", "-1"), ("LOSS", "5"), ("PUSH", "5"), ("VOID", "10.000001"),
    ("WIN", "1.0000001"), ("WIN", "NaN"), ("WIN", "Infinity"), ("CASHOUT", "10")])
def test_checked_payout_refuses_what_the_outcome_cannot_pay(outcome, payout):
    with pytest.raises(InvalidInput):
        checked_payout(offline_uow(), new_bet("10"), BetOutcome("x", outcome, D(payout)))


def test_payout_on_an_all_cash_stake_is_all_cash():
    assert split_payout(offline_uow(), new_bet("10"), D(25)) == (D(25), D(0))


@pytest.mark.parametrize("stake, cash, bonus, payout, parts", [
    ("10", "6", "4", "25", ("15", "10")),
    ("10", "0", "10", "25", ("0", "25")),
    # 3 of 9 is bonus: 10 / 3 rounds down to 3.333333 bonus, the odd unit is cash.
    ("9", "6", "3", "10", ("6.666667", "3.333333")),
])
def test_winnings_on_the_bonus_part_of_a_stake_are_bonus(stake, cash, bonus, payout, parts):
    bet = new_bet(stake, cash=cash, bonus=bonus)
    cash_payout, bonus_payout = split_payout(offline_uow(), bet, D(payout))
    assert (cash_payout, bonus_payout) == (D(parts[0]), D(parts[1]))
    assert cash_payout + bonus_payout == D(payout)
