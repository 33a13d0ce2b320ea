"""The Wallet aggregate's money rules, without a database (POPO for replays)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eventsourcing.application import Application

from domain.kernel.errors import InsufficientFunds, InvalidInput, UnknownHold
from domain.ledger import Ledger
from domain.kernel.postings import Leg
from domain.wallet.model import Wallet, wallet_id
from tests.factories import open_wallet, wallet_state

D = Decimal
POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def bet(wallet: Wallet, hold_id: str, cash: str, bonus: str = "0") -> None:
    wallet.hold(hold_id, cash=D(cash), bonus=D(bonus), request_id=f"place-{hold_id}",
                reference=f"bet:{hold_id}")


def settle(wallet: Wallet, hold_id: str) -> None:
    wallet.settle_hold(hold_id, request_id=f"settle-{hold_id}", reference=f"bet:{hold_id}")


def release(wallet: Wallet, hold_id: str) -> None:
    wallet.release_hold(hold_id, request_id=f"void-{hold_id}", reference=f"bet:{hold_id}")


def legs_of(event) -> set[Leg]:
    return set(event.legs())


def replayed_states(wallet: Wallet):
    """The wallet after each of its pending events, rebuilt from the events alone."""
    state = None
    for event in wallet.pending_events:
        state = event.mutate(state)
        yield event, state


def assert_invariants(wallet: Wallet) -> None:
    assert 0 <= wallet.locked <= wallet.cash
    assert 0 <= wallet.bonus_locked <= wallet.bonus


# Credits and debits.

def test_deposit_credits_cash_from_the_hot_wallet():
    wallet = open_wallet(cash="10")
    assert (wallet.cash, wallet.available, wallet.bonus) == (D(10), D(10), D(0))
    assert legs_of(wallet.pending_events[-1]) == {
        Leg("house:hot_wallet", D(-10)), Leg("player:p1:available", D(10))}


def test_bonus_grant_lands_in_bonus_never_in_cash():
    wallet = open_wallet(bonus="5")
    assert (wallet.cash, wallet.bonus, wallet.bonus_available) == (D(0), D(5), D(5))
    assert legs_of(wallet.pending_events[-1]) == {
        Leg("house:bonus_expense", D(-5)), Leg("player:p1:bonus", D(5))}


@pytest.mark.parametrize("tag, house", [
    ("ADJUSTMENT", "house:adjustments"), ("DEPOSIT", "house:hot_wallet"),
    ("PAYOUT", "house:ggr"), ("RAKEBACK", "house:rakeback_expense"),
    ("CASHBACK", "house:cashback_expense"), ("BONUS", "house:bonus_expense")])
def test_each_credit_tag_is_paid_by_its_house_account(tag, house):
    wallet = open_wallet()
    wallet.credit(D("2.5"), balance="cash", tag=tag, request_id="r1", reference="x")
    event = wallet.pending_events[-1]
    assert event.entry_type == tag
    assert legs_of(event) == {Leg(house, D("-2.5")), Leg("player:p1:available", D("2.5"))}


def test_finance_debit_returns_cash_to_house_adjustments():
    wallet = open_wallet(cash="10")
    wallet.debit(D("3"), balance="cash", tag="ADJUSTMENT", request_id="r1", reference="adj")
    assert wallet.cash == D(7)
    assert legs_of(wallet.pending_events[-1]) == {
        Leg("player:p1:available", D(-3)), Leg("house:adjustments", D(3))}


def test_finance_debit_of_bonus_leaves_cash_alone():
    wallet = open_wallet(cash="10", bonus="5")
    wallet.debit(D("5"), balance="bonus", tag="ADJUSTMENT", request_id="r1", reference="adj")
    assert (wallet.cash, wallet.bonus) == (D(10), D(0))


@pytest.mark.parametrize("kwargs, field", [
    ({"balance": "locked", "tag": "DEPOSIT"}, "balance"),
    ({"balance": "cash", "tag": "GIFT"}, "tag")])
def test_credit_to_an_unknown_balance_or_tag_is_refused(kwargs, field):
    wallet = open_wallet()
    with pytest.raises(InvalidInput) as caught:
        wallet.credit(D(1), request_id="r1", reference="x", **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize("tag", ["PAYOUT", "DEPOSIT", "BONUS"])
def test_only_adjustments_debit_directly(tag):
    """Bets take money through holds; a direct debit is a finance adjustment only."""
    wallet = open_wallet(cash="10")
    with pytest.raises(InvalidInput) as caught:
        wallet.debit(D(1), balance="cash", tag=tag, request_id="r1", reference="x")
    assert caught.value.field == "tag"


@pytest.mark.parametrize("amount", ["0", "-1"])
@pytest.mark.parametrize("move", ["credit", "debit"])
def test_zero_or_negative_credit_and_debit_are_refused(move, amount):
    wallet = open_wallet(cash="10")
    with pytest.raises(InvalidInput) as caught:
        getattr(wallet, move)(D(amount), balance="cash", tag="ADJUSTMENT",
                              request_id="r1", reference="x")
    assert caught.value.field == "amount"
    assert wallet.cash == D(10)


def test_debit_beyond_cash_is_insufficient_funds_and_changes_nothing():
    wallet = open_wallet(cash="10", bonus="50")
    before = (wallet_state(wallet), len(wallet.pending_events))
    with pytest.raises(InsufficientFunds):
        wallet.debit(D("10.01"), balance="cash", tag="ADJUSTMENT", request_id="r1",
                     reference="x")
    assert (wallet_state(wallet), len(wallet.pending_events)) == before


def test_debit_of_the_whole_cash_balance_leaves_zero():
    wallet = open_wallet(cash="10")
    wallet.debit(D(10), balance="cash", tag="ADJUSTMENT", request_id="r1", reference="x")
    assert wallet.cash == 0


# Bets: holds, settlement and release.

def test_bet_hold_moves_stake_from_available_to_locked():
    wallet = open_wallet(cash="10", bonus="5")
    bet(wallet, "b1", cash="4", bonus="1")
    assert (wallet.cash, wallet.locked, wallet.available) == (D(10), D(4), D(6))
    assert (wallet.bonus, wallet.bonus_locked, wallet.bonus_available) == (D(5), D(1), D(4))
    assert wallet.pending_events[-1].entry_type == "HOLD"


def test_bet_hold_settled_on_loss_moves_stake_to_house_ggr():
    wallet = open_wallet(cash="10", bonus="5")
    bet(wallet, "b1", cash="4", bonus="1")
    settle(wallet, "b1")
    assert (wallet.cash, wallet.locked, wallet.bonus, wallet.bonus_locked) == (
        D(6), D(0), D(4), D(0))
    assert wallet.holds == {}
    event = wallet.pending_events[-1]
    assert event.entry_type == "SETTLE_DEBIT"
    assert legs_of(event) == {
        Leg("player:p1:locked", D(-4)), Leg("house:ggr", D(4)),
        Leg("player:p1:bonus_locked", D(-1)), Leg("house:ggr", D(1))}


def test_bet_won_settles_the_stake_and_pays_out_from_ggr():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="4")
    settle(wallet, "b1")
    wallet.credit(D("7.5"), balance="cash", tag="PAYOUT", request_id="win-b1",
                  reference="bet:b1")
    assert (wallet.cash, wallet.locked) == (D("13.5"), D(0))


def test_bet_hold_released_on_push_restores_available():
    wallet = open_wallet(cash="10", bonus="5")
    bet(wallet, "b1", cash="4", bonus="1")
    release(wallet, "b1")
    assert (wallet.cash, wallet.available, wallet.bonus_available) == (D(10), D(10), D(5))
    assert wallet.pending_events[-1].entry_type == "HOLD_RELEASE"


def test_settled_bet_cannot_be_settled_or_released_again():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="4")
    settle(wallet, "b1")
    with pytest.raises(UnknownHold):
        settle(wallet, "b1")
    with pytest.raises(UnknownHold):
        release(wallet, "b1")
    assert wallet.cash == D(6)


def test_released_bet_cannot_then_be_settled():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="4")
    release(wallet, "b1")
    with pytest.raises(UnknownHold):
        settle(wallet, "b1")
    assert wallet.cash == D(10)


@pytest.mark.parametrize("action", [settle, release])
def test_settling_or_releasing_an_unknown_bet_is_refused(action):
    wallet = open_wallet(cash="10")
    with pytest.raises(UnknownHold):
        action(wallet, "never-placed")


def test_two_open_bets_are_settled_independently():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="3")
    bet(wallet, "b2", cash="5")
    settle(wallet, "b2")
    assert (wallet.cash, wallet.locked, set(wallet.holds)) == (D(5), D(3), {"b1"})


def test_stake_beyond_available_cash_is_refused():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="8")
    with pytest.raises(InsufficientFunds):
        bet(wallet, "b2", cash="2.01")
    assert wallet.locked == D(8)


def test_bonus_part_beyond_free_bonus_is_refused():
    wallet = open_wallet(cash="10", bonus="1")
    with pytest.raises(InsufficientFunds):
        bet(wallet, "b1", cash="1", bonus="1.5")
    assert (wallet.locked, wallet.bonus_locked) == (D(0), D(0))


def test_debit_cannot_take_cash_held_for_a_bet():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="8")
    with pytest.raises(InsufficientFunds):
        wallet.debit(D(3), balance="cash", tag="ADJUSTMENT", request_id="r", reference="x")
    wallet.debit(D(2), balance="cash", tag="ADJUSTMENT", request_id="r", reference="x")
    assert (wallet.cash, wallet.locked, wallet.available) == (D(8), D(8), D(0))


def test_debit_cannot_take_bonus_held_for_a_bet():
    wallet = open_wallet(bonus="5")
    bet(wallet, "b1", cash="0", bonus="4")
    with pytest.raises(InsufficientFunds):
        wallet.debit(D(2), balance="bonus", tag="ADJUSTMENT", request_id="r", reference="x")


@pytest.mark.parametrize("hold_id, stake", [("", "1"), ("b1", "0")])
def test_bet_needs_an_id_and_a_positive_stake(hold_id, stake):
    wallet = open_wallet(cash="10")
    with pytest.raises(InvalidInput):
        bet(wallet, hold_id, cash=stake)


@pytest.mark.parametrize("cash, bonus", [("-3", "4"), ("6", "-1")])
def test_bet_with_a_negative_part_is_refused(cash, bonus):
    """A negative cash part hidden behind a larger bonus part would unlock cash."""
    wallet = open_wallet(cash="10", bonus="5")
    with pytest.raises(InvalidInput):
        bet(wallet, "b1", cash=cash, bonus=bonus)
    assert_invariants(wallet)


def test_bet_id_already_open_is_refused():
    wallet = open_wallet(cash="10")
    bet(wallet, "b1", cash="1")
    with pytest.raises(InvalidInput) as caught:
        bet(wallet, "b1", cash="1")
    assert caught.value.field == "holdId"
    assert wallet.locked == D(1)


def test_hold_for_an_unknown_purpose_is_refused():
    wallet = open_wallet(cash="10")
    with pytest.raises(InvalidInput) as caught:
        wallet.hold("h1", cash=D(1), purpose="LOTTERY", request_id="r", reference="x")
    assert caught.value.field == "purpose"


# Withdrawal locks.

def lock(wallet: Wallet, lock_id: str, amount: str) -> None:
    wallet.lock(lock_id, D(amount), request_id=f"wd-{lock_id}", reference=f"wd:{lock_id}")


def unlock(wallet: Wallet, lock_id: str) -> None:
    wallet.unlock(lock_id, request_id=f"cancel-{lock_id}", reference=f"wd:{lock_id}")


def test_withdrawal_lock_sets_cash_aside_and_unlock_returns_it():
    wallet = open_wallet(cash="10")
    lock(wallet, "w1", "6")
    assert (wallet.cash, wallet.locked, wallet.available) == (D(10), D(6), D(4))
    assert wallet.pending_events[-1].entry_type == "LOCK"
    unlock(wallet, "w1")
    assert (wallet.locked, wallet.available) == (D(0), D(10))
    assert wallet.pending_events[-1].entry_type == "UNLOCK"


def test_withdrawal_lock_beyond_available_cash_is_refused():
    wallet = open_wallet(cash="10", bonus="100")
    bet(wallet, "b1", cash="5")
    with pytest.raises(InsufficientFunds):
        lock(wallet, "w1", "5.5")


def test_withdrawal_lock_is_not_a_bet_and_a_bet_is_not_a_lock():
    wallet = open_wallet(cash="10")
    lock(wallet, "w1", "2")
    bet(wallet, "b1", cash="3")
    with pytest.raises(UnknownHold):
        settle(wallet, "w1")
    with pytest.raises(UnknownHold):
        unlock(wallet, "b1")
    assert wallet.locked == D(5)


def test_unlocking_twice_is_refused():
    wallet = open_wallet(cash="10")
    lock(wallet, "w1", "2")
    unlock(wallet, "w1")
    with pytest.raises(UnknownHold):
        unlock(wallet, "w1")


# Every event: invariants, identity, balanced legs, replay.

def busy_wallet() -> Wallet:
    """A wallet that has seen every kind of event."""
    wallet = open_wallet(player="alice", currency="ETH", cash="10", bonus="5")
    bet(wallet, "b1", cash="4", bonus="1")
    settle(wallet, "b1")
    bet(wallet, "b2", cash="2", bonus="2")
    release(wallet, "b2")
    bet(wallet, "b3", cash="5", bonus="4")
    lock(wallet, "w1", "0.000000000000000001")
    unlock(wallet, "w1")
    wallet.credit(D("12"), balance="cash", tag="PAYOUT", request_id="win-b3",
                  reference="bet:b3")
    settle(wallet, "b3")
    wallet.debit(D("1.5"), balance="cash", tag="ADJUSTMENT", request_id="adj",
                 reference="adjustment:adj")
    return wallet


def test_busy_wallet_ends_where_the_story_says():
    wallet = busy_wallet()
    assert (wallet.cash, wallet.locked, wallet.bonus, wallet.bonus_locked) == (
        D("11.5"), D(0), D(0), D(0))
    assert len(wallet.pending_events) == 13


def test_invariants_hold_after_every_event():
    for _, state in replayed_states(busy_wallet()):
        assert_invariants(state)


def test_every_event_names_player_currency_request_and_reference():
    for event in busy_wallet().pending_events[1:]:
        assert (event.player_id, event.currency) == ("alice", "ETH")
        assert event.request_id and event.reference
        assert event.originator_id == wallet_id("alice", "ETH")


def test_legs_of_every_event_sum_to_zero():
    events = busy_wallet().pending_events
    assert all(sum(leg.amount for leg in event.legs()) == 0 for event in events)
    assert sum(len(event.legs()) for event in events) > 0


def test_player_pockets_in_the_legs_add_up_to_the_wallet():
    wallet = busy_wallet()
    pockets: dict[str, Decimal] = {}
    for event in wallet.pending_events:
        for leg in event.legs():
            pockets[leg.account] = pockets.get(leg.account, D(0)) + leg.amount
    assert pockets.get("player:alice:available", 0) == wallet.available
    assert pockets.get("player:alice:locked", 0) == wallet.locked
    assert pockets.get("player:alice:bonus", 0) == wallet.bonus_available


def test_replaying_the_events_rebuilds_the_same_wallet():
    wallet = busy_wallet()
    *_, (_, rebuilt) = replayed_states(wallet)
    assert wallet_state(rebuilt) == wallet_state(wallet)


def test_wallet_saved_and_read_back_through_an_application_is_the_same():
    wallet = busy_wallet()
    bet(wallet, "open-bet", cash="2")
    app = Application(env=POPO)
    app.save(wallet)
    assert wallet_state(app.repository.get(wallet.id)) == wallet_state(wallet)


class SnapshottingStore(Application):
    """An in-memory store that snapshots wallets as often as the ledger does."""

    snapshotting_intervals = Ledger.snapshotting_intervals


def test_wallet_read_past_a_snapshot_equals_its_full_replay():
    store = SnapshottingStore(env=POPO)
    wallet = open_wallet("bob", "USDT")
    for n in range(1, 131):
        wallet.credit(D(f"{n}.000001"), balance="cash", tag="DEPOSIT", request_id=f"r{n}",
                      reference=f"tx:{n}")
        store.save(wallet)
    assert store.snapshots is not None and list(store.snapshots.get(wallet.id))
    full = None
    for event in store.events.get(wallet.id):
        full = event.mutate(full)
    read = store.repository.get(wallet.id)
    assert read.version == 131
    assert wallet_state(read) == wallet_state(full) == wallet_state(wallet)
    assert read.cash == sum(D(f"{n}.000001") for n in range(1, 131))


def test_wallet_id_is_one_per_player_and_currency():
    assert open_wallet("p1", "BTC").id == wallet_id("p1", "BTC")
    assert len({wallet_id("p1", "BTC"), wallet_id("p1", "ETH"), wallet_id("p2", "BTC")}) == 3
