"""Bets through the ledger on SQLite and PostgreSQL: the wallet, its statement, the books.

Each scenario drives `services.ledger.execute(...)` as a game provider would
(place, settle, refund, roll back) and checks the wallet's balances, its
ledger entries (oldest first), that the books agree (`assert_books`), and that
a refused command appends nothing to the log.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.betting.commands import BetOutcome, SettleRound
from domain.kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.players.model import BetRejected
from domain.players.commands import SetVipLevel
from tests.factories import (
    PROVIDER,
    add_game,
    aggregate_pockets,
    all_entries,
    backend_url,
    bet_command,
    bet_of,
    caught_up,
    config_file,
    credit,
    debit,
    fresh_services,
    place_bet,
    player_of,
    pocket_sums,
    refund_bet,
    refund_command,
    roll_back_bet,
    rollback_command,
    running_balances,
    set_limits,
    set_vip_level,
    settle_bet,
    settle_command,
    view_pockets,
)

D = Decimal
OTHER_PROVIDER = "provider-2"


@pytest.fixture
def casino(services):
    """The default configuration (cash first, no maximum stake) with one game."""
    add_game(services)
    return services


@pytest.fixture
def configured(backend, request, tmp_path_factory):
    """A ledger of its own, on this test's backend, with a business configuration."""
    built = []

    def build(toml: str):
        services = fresh_services(backend_url(backend, request, tmp_path_factory),
                                  config=config_file(tmp_path_factory.mktemp("config"), toml))
        built.append(services)
        add_game(services)
        return services

    yield build
    for services in built:
        services.close()


# Reading the outcome.

def refused(services, error: type[DomainError], command) -> DomainError:
    """Run a command that must be refused with `error`; it must append nothing."""
    head = services.ledger.head()
    with pytest.raises(error) as caught:
        services.ledger.execute(command)
    assert services.ledger.head() == head
    return caught.value


def rejected(services, command) -> str:
    """The reason a bet is rejected; a rejected bet appends nothing."""
    return refused(services, BetRejected, command).reason  # type: ignore[attr-defined]


def has(result: object, expected: dict) -> bool:
    """The result holds these fields with these values (it may hold more)."""
    return {key: getattr(result, key, None) for key in expected} == expected


def statement(services, player: str = "p1", currency: str = "USDT") -> list[tuple]:
    """The wallet's ledger entries, oldest first, as (type, pocket, amount)."""
    caught_up(services)
    return [(e["type"], e["pocket"], e["amount"])
            for e in reversed(all_entries(services, player, currency))]


def wallet(services, player: str = "p1", currency: str = "USDT") -> dict[str, Decimal]:
    """cash, bonus (each including what is held), locked and bonus_locked."""
    w = services.ledger.wallet(player, currency)
    return {"cash": w.cash, "bonus": w.bonus, "locked": w.locked,
            "bonus_locked": w.bonus_locked}


def ggr(services, currency: str = "USDT") -> Decimal:
    caught_up(services)
    return services.journal.account_balances(currency).get((currency, "house:ggr"), D(0))


def assert_books(services, *wallets: tuple[str, str]) -> None:
    """Aggregate, entries and balances view agree; balances never negative; trial balance 0."""
    caught_up(services)
    for player, currency in wallets or (("p1", "USDT"),):
        pockets = aggregate_pockets(services.ledger.wallet(player, currency))
        assert all(amount >= 0 for amount in pockets.values()), pockets
        assert pocket_sums(services, player, currency) == pockets
        assert view_pockets(services, player, currency) == pockets
        running_balances(all_entries(services, player, currency))
    assert all(total == 0 for total in services.journal.trial_balance().values())


def place(services, stake: str, player: str = "p1", currency: str = "USDT", **kwargs) -> str:
    outcome = place_bet(services, player, stake, currency, **kwargs)
    assert outcome.result.status == "ACCEPTED"
    return outcome.result.bet_id


HOLD_10 = [("HOLD", "available", D(-10)), ("HOLD", "locked", D(10))]
FUNDS_100 = [("ADJUSTMENT", "available", D(100))]


# Placing a bet.

def test_player_with_100_usdt_bets_10_and_the_stake_is_held(casino):
    credit(casino, "p1", "USDT", "100")
    outcome = place_bet(casino, "p1", "10", request_id="bet-1", round_id="round-7")
    assert has(outcome.result, {
        "status": "ACCEPTED", "currency": "USDT", "hold": D(10), "cash_part": D(10),
        "bonus_part": D(0), "balance_after": D(90), "cash_after": D(90), "bonus_after": D(0)})
    bet = bet_of(casino, outcome.result.bet_id)
    assert (bet.status, bet.round_id, bet.player_id, bet.provider) == (
        "OPEN", "round-7", "p1", PROVIDER)
    assert wallet(casino) == {"cash": D(100), "bonus": D(0), "locked": D(10),
                              "bonus_locked": D(0)}
    assert statement(casino) == FUNDS_100 + HOLD_10
    assert ggr(casino) == 0
    assert_books(casino)


def test_retried_bet_returns_the_first_result_and_holds_once(casino):
    credit(casino, "p1", "USDT", "100")
    command = bet_command("p1", "10", request_id="bet-1")
    first = casino.ledger.execute(command)
    head = casino.ledger.head()
    again = casino.ledger.execute(command)
    assert (again.replayed, again.result, again.position) == (True, first.result,
                                                              first.position)
    assert casino.ledger.head() == head
    assert wallet(casino)["locked"] == D(10)
    assert_books(casino)


def test_retried_bet_with_its_stake_written_another_way_is_the_same_bet(casino):
    credit(casino, "p1", "USDT", "100")
    first = casino.ledger.execute(bet_command("p1", "10", request_id="bet-1"))
    again = casino.ledger.execute(bet_command("p1", "10.000000", request_id="bet-1"))
    assert again.replayed and again.result == first.result
    assert wallet(casino)["locked"] == D(10)


def test_request_id_reused_for_another_stake_is_a_conflict(casino):
    credit(casino, "p1", "USDT", "100")
    place(casino, "10", request_id="bet-1")
    refused(casino, Conflict, bet_command("p1", "11", request_id="bet-1"))
    assert wallet(casino)["locked"] == D(10)


def test_two_providers_may_use_the_same_request_id_for_their_own_bets(casino):
    """Bet ids are per provider (uuid5 of provider and requestId), so requestIds are too."""
    credit(casino, "p1", "USDT", "100")
    mine = place(casino, "10", request_id="42", provider=PROVIDER)
    theirs = place(casino, "10", request_id="42", provider=OTHER_PROVIDER)
    assert mine != theirs
    assert wallet(casino)["locked"] == D(20)


# Each outcome.

@pytest.mark.parametrize("outcome, payout, cash, house, entries", [
    ("WIN", "25", "115", "-15",
     [("SETTLE_DEBIT", "locked", D(-10)), ("PAYOUT", "available", D(25))]),
    ("LOSS", "0", "90", "10", [("SETTLE_DEBIT", "locked", D(-10))]),
    ("PUSH", "10", "100", "0",
     [("HOLD_RELEASE", "available", D(10)), ("HOLD_RELEASE", "locked", D(-10))]),
    ("PUSH", "0", "100", "0",
     [("HOLD_RELEASE", "available", D(10)), ("HOLD_RELEASE", "locked", D(-10))]),
    ("VOID", "0", "100", "0",
     [("HOLD_RELEASE", "available", D(10)), ("HOLD_RELEASE", "locked", D(-10))]),
])
def test_each_outcome_of_a_10_usdt_bet(casino, outcome, payout, cash, house, entries):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settled = settle_bet(casino, bet_id, outcome, payout)
    recorded = D(payout) if outcome == "WIN" else D(0)
    [result] = settled.result.bets
    assert has(result, {"bet_id": bet_id, "outcome": outcome, "payout": recorded,
                        "balance_after": D(cash), "cash_after": D(cash), "bonus_after": D(0)})
    bet = bet_of(casino, bet_id)
    assert (bet.status, bet.outcome, bet.payout) == ("SETTLED", outcome, recorded)
    assert wallet(casino) == {"cash": D(cash), "bonus": D(0), "locked": D(0),
                              "bonus_locked": D(0)}
    assert statement(casino) == FUNDS_100 + HOLD_10 + entries
    assert ggr(casino) == D(house)
    assert_books(casino)


def test_one_round_settles_several_bets_of_several_players_at_once(casino):
    credit(casino, "p1", "USDT", "100")
    credit(casino, "p2", "USDT", "100")
    first = place(casino, "10", round_id="table-1")
    second = place(casino, "30", player="p2", round_id="table-1")
    casino.ledger.execute(SettleRound("settle-table-1", PROVIDER, "table-1", (
        BetOutcome(first, "WIN", D(20)), BetOutcome(second, "LOSS", D(0)))))
    assert (wallet(casino)["cash"], wallet(casino, "p2")["cash"]) == (D(110), D(70))
    assert ggr(casino) == D(20)
    assert_books(casino, ("p1", "USDT"), ("p2", "USDT"))


def test_a_round_with_one_bad_settlement_settles_none_of_its_bets(casino):
    credit(casino, "p1", "USDT", "100")
    first = place(casino, "10", round_id="table-1")
    second = place(casino, "10", round_id="table-1")
    settle_bet(casino, second, "LOSS")
    refused(casino, Conflict, SettleRound("settle-table-1", PROVIDER, "table-1", (
        BetOutcome(first, "WIN", D(20)), BetOutcome(second, "WIN", D(20)))))
    assert bet_of(casino, first).status == "OPEN"
    assert wallet(casino) == {"cash": D(90), "bonus": D(0), "locked": D(10),
                              "bonus_locked": D(0)}


@pytest.mark.parametrize("outcome, payout", [
    ("WIN", "0"), ("LOSS", "5"), ("PUSH", "3"), ("WIN", "1.0000001"), ("JACKPOT", "5")])
def test_settlement_with_a_payout_its_outcome_cannot_have_is_refused(casino, outcome,
                                                                      payout):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    refused(casino, InvalidInput, settle_command(casino, bet_id, outcome, payout))
    assert bet_of(casino, bet_id).status == "OPEN"


def test_settlement_naming_another_round_is_refused(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10", round_id="round-1")
    refused(casino, InvalidInput, settle_command(casino, bet_id, "LOSS", round_id="round-2"))


def test_a_round_settles_each_of_its_bets_once_and_at_least_one(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10", round_id="round-1")
    for bets in ((), (BetOutcome(bet_id, "LOSS", D(0)), BetOutcome(bet_id, "LOSS", D(0)))):
        refused(casino, InvalidInput, SettleRound("s-1", PROVIDER, "round-1", bets))
    assert bet_of(casino, bet_id).status == "OPEN"


def test_settling_an_unknown_bet_is_not_found(casino):
    credit(casino, "p1", "USDT", "100")
    place(casino, "10")
    for bet_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        refused(casino, NotFound, SettleRound("s-1", PROVIDER, "round-1", (
            BetOutcome(bet_id, "LOSS", D(0)),)))


# Settling again.

@pytest.mark.parametrize("outcome, payout, again", [
    ("WIN", "25", "25.000000"), ("LOSS", "0", "0"), ("PUSH", "10", "0"),
    ("VOID", "0", "10")])
def test_settling_again_the_same_way_moves_no_money(casino, outcome, payout, again):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    first = settle_bet(casino, bet_id, outcome, payout)
    before = (wallet(casino), bet_of(casino, bet_id).version, statement(casino))
    second = settle_bet(casino, bet_id, outcome, again, request_id="settle-again")
    assert second.result.bets == first.result.bets
    assert (wallet(casino), bet_of(casino, bet_id).version, statement(casino)) == before
    assert_books(casino)


@pytest.mark.parametrize("first, second", [
    (("WIN", "25"), ("WIN", "26")), (("WIN", "25"), ("LOSS", "0")),
    (("LOSS", "0"), ("WIN", "25")), (("PUSH", "0"), ("VOID", "0")),
    (("VOID", "0"), ("LOSS", "0"))])
def test_settling_again_another_way_is_a_conflict(casino, first, second):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, *first)
    before = wallet(casino)
    refused(casino, Conflict, settle_command(casino, bet_id, *second))
    assert wallet(casino) == before
    assert bet_of(casino, bet_id).outcome == first[0]


def test_request_id_of_a_settlement_that_changed_nothing_is_not_reusable(casino):
    """DESIGN 2: a requestId repeated with another payload is a 409, even when its
    first use moved no money (a settlement repeated with a new requestId)."""
    credit(casino, "p1", "USDT", "100")
    settled = place(casino, "10", round_id="round-1")
    still_open = place(casino, "10", round_id="round-1")
    settle_bet(casino, settled, "LOSS")
    settle_bet(casino, settled, "LOSS", request_id="settle-2")     # changes nothing
    refused(casino, Conflict, settle_command(casino, still_open, "WIN", "30",
                                             request_id="settle-2"))
    assert bet_of(casino, still_open).status == "OPEN"


def test_retried_settlement_replays_and_a_changed_one_with_its_id_conflicts(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    command = settle_command(casino, bet_id, "WIN", "25", request_id="settle-1")
    first = casino.ledger.execute(command)
    again = casino.ledger.execute(command)
    assert (again.replayed, again.result, again.position) == (True, first.result,
                                                              first.position)
    refused(casino, Conflict, settle_command(casino, bet_id, "WIN", "26",
                                             request_id="settle-1"))
    assert wallet(casino)["cash"] == D(115)


# Funding: cash first (the default) or bonus first.

def test_cash_first_spends_cash_then_bonus(casino):
    credit(casino, "p1", "USDT", "3")
    credit(casino, "p1", "USDT", "50", balance="bonus")
    outcome = place_bet(casino, "p1", "8")
    assert (outcome.result.cash_part, outcome.result.bonus_part) == (D(3), D(5))
    assert (outcome.result.cash_after, outcome.result.bonus_after) == (D(0), D(45))
    assert wallet(casino) == {"cash": D(3), "bonus": D(50), "locked": D(3),
                              "bonus_locked": D(5)}
    assert statement(casino)[-4:] == [
        ("HOLD", "available", D(-3)), ("HOLD", "locked", D(3)),
        ("HOLD", "bonus", D(-5)), ("HOLD", "bonus_locked", D(5))]
    assert_books(casino)


def test_bonus_first_spends_bonus_then_cash(configured):
    services = configured('[bets]\nfunding = "bonus_first"\n')
    credit(services, "p1", "USDT", "20")
    credit(services, "p1", "USDT", "5", balance="bonus")
    first = place_bet(services, "p1", "8")
    assert (first.result.cash_part, first.result.bonus_part) == (D(3), D(5))
    second = place_bet(services, "p1", "4")
    assert (second.result.cash_part, second.result.bonus_part) == (D(4), D(0))
    assert wallet(services) == {"cash": D(20), "bonus": D(5), "locked": D(7),
                                "bonus_locked": D(5)}
    assert_books(services)


def test_win_on_a_partly_bonus_stake_pays_the_bonus_share_as_bonus(casino):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "20", balance="bonus")
    bet_id = place(casino, "10")                      # 6 cash + 4 bonus
    settle_bet(casino, bet_id, "WIN", "25")           # 40% of 25 is bonus
    bet = bet_of(casino, bet_id)
    assert (bet.cash_payout, bet.bonus_payout) == (D(15), D(10))
    assert wallet(casino) == {"cash": D(15), "bonus": D(26), "locked": D(0),
                              "bonus_locked": D(0)}
    assert statement(casino)[-4:] == [
        ("SETTLE_DEBIT", "locked", D(-6)), ("SETTLE_DEBIT", "bonus_locked", D(-4)),
        ("PAYOUT", "available", D(15)), ("PAYOUT", "bonus", D(10))]
    assert ggr(casino) == D(-15)
    assert_books(casino)


def test_win_on_a_third_bonus_stake_rounds_the_bonus_share_down(casino):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "3", balance="bonus")
    bet_id = place(casino, "9")
    settle_bet(casino, bet_id, "WIN", "10")
    assert wallet(casino)["cash"] == D("6.666667")
    assert wallet(casino)["bonus"] == D("3.333333")
    assert_books(casino)


def test_void_on_a_partly_bonus_stake_returns_each_part_to_its_source(casino):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "20", balance="bonus")
    settle_bet(casino, place(casino, "10"), "VOID")
    assert wallet(casino) == {"cash": D(6), "bonus": D(20), "locked": D(0),
                              "bonus_locked": D(0)}
    assert_books(casino)


# Refunds.

def test_refund_of_an_open_bet_releases_its_hold(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    outcome = refund_bet(casino, bet_id)
    assert (outcome.result.status, outcome.result.amount,
            outcome.result.balance_after) == ("REFUNDED", D(10), D(100))
    assert bet_of(casino, bet_id).status == "REFUNDED"
    assert statement(casino)[-2:] == [("HOLD_RELEASE", "available", D(10)),
                                      ("HOLD_RELEASE", "locked", D(-10))]
    assert_books(casino)


def test_refund_of_a_lost_bet_credits_the_stake_back(casino, frozen_clock):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "20", balance="bonus")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "LOSS")
    assert player_of(casino, "p1").net_loss_on(frozen_clock.now().date(), "USDT") == D(10)
    refund_bet(casino, bet_id)
    assert wallet(casino) == {"cash": D(6), "bonus": D(20), "locked": D(0),
                              "bonus_locked": D(0)}
    assert statement(casino)[-2:] == [("REFUND", "available", D(6)),
                                      ("REFUND", "bonus", D(4))]
    assert ggr(casino) == 0
    assert player_of(casino, "p1").net_loss_on(frozen_clock.now().date(), "USDT") == 0
    assert_books(casino)


@pytest.mark.parametrize("outcome, payout", [("WIN", "25"), ("PUSH", "0"), ("VOID", "0")])
def test_refund_of_a_bet_that_returned_money_is_a_conflict(casino, outcome, payout):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, outcome, payout)
    refused(casino, Conflict, refund_command(bet_id))
    assert bet_of(casino, bet_id).status == "SETTLED"


def test_refunding_again_changes_nothing(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "LOSS")
    command = refund_command(bet_id, request_id="refund-1")
    first = casino.ledger.execute(command)
    assert casino.ledger.execute(command).replayed
    before = (wallet(casino), statement(casino))
    again = refund_bet(casino, bet_id, request_id="refund-2")
    assert (again.result.status, again.result.balance_after) == (
        "REFUNDED", first.result.balance_after)
    assert (wallet(casino), statement(casino)) == before
    refused(casino, Conflict, refund_command(bet_id, request_id="refund-1",
                                             reason="another reason"))


def test_refund_of_a_cancelled_bet_is_a_conflict(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    roll_back_bet(casino, bet_id)
    refused(casino, Conflict, refund_command(bet_id))


# Rollbacks.

def test_rollback_of_an_open_bet_cancels_it_and_releases_the_hold(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    outcome = roll_back_bet(casino, bet_id)
    assert (outcome.result.status, outcome.result.balance_after) == ("CANCELLED",
                                                                          D(100))
    assert statement(casino)[-2:] == [("HOLD_RELEASE", "available", D(10)),
                                      ("HOLD_RELEASE", "locked", D(-10))]
    assert_books(casino)


def test_rollback_of_a_win_takes_the_payout_back_and_holds_the_stake_again(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "WIN", "25")
    outcome = roll_back_bet(casino, bet_id)
    assert (outcome.result.status, outcome.result.balance_after) == ("OPEN", D(90))
    bet = bet_of(casino, bet_id)
    assert (bet.status, bet.outcome, bet.payout) == ("OPEN", None, D(0))
    assert wallet(casino) == {"cash": D(100), "bonus": D(0), "locked": D(10),
                              "bonus_locked": D(0)}
    assert statement(casino)[-2:] == [("ROLLBACK", "available", D(-25)),
                                      ("SETTLE_REVERSAL", "locked", D(10))]
    assert ggr(casino) == 0
    assert_books(casino)


def test_rolled_back_win_can_be_settled_again_as_a_loss(casino, frozen_clock):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "WIN", "25")
    roll_back_bet(casino, bet_id)
    settle_bet(casino, bet_id, "LOSS")
    assert wallet(casino)["cash"] == D(90)
    assert ggr(casino) == D(10)
    assert player_of(casino, "p1").net_loss_on(frozen_clock.now().date(), "USDT") == D(10)
    assert_books(casino)


def test_rollback_of_a_bonus_win_takes_back_both_shares(casino):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "20", balance="bonus")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "WIN", "25")
    roll_back_bet(casino, bet_id)
    assert wallet(casino) == {"cash": D(6), "bonus": D(20), "locked": D(6),
                              "bonus_locked": D(4)}
    assert_books(casino)


@pytest.mark.parametrize("outcome, entries", [
    ("LOSS", [("SETTLE_REVERSAL", "locked", D(10))]),
    ("PUSH", HOLD_10), ("VOID", HOLD_10)])
def test_rollback_of_a_loss_push_or_void_holds_the_stake_again(casino, outcome, entries):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, outcome)
    roll_back_bet(casino, bet_id)
    assert bet_of(casino, bet_id).status == "OPEN"
    assert wallet(casino) == {"cash": D(100), "bonus": D(0), "locked": D(10),
                              "bonus_locked": D(0)}
    assert statement(casino)[-len(entries):] == entries
    assert_books(casino)


def test_two_rollbacks_undo_the_settlement_then_the_placement(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "WIN", "25")
    roll_back_bet(casino, bet_id)
    roll_back_bet(casino, bet_id)
    assert bet_of(casino, bet_id).status == "CANCELLED"
    assert wallet(casino) == {"cash": D(100), "bonus": D(0), "locked": D(0),
                              "bonus_locked": D(0)}
    refused(casino, Conflict, rollback_command(bet_id))
    assert_books(casino)


def test_retried_rollback_undoes_one_step_only(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "LOSS")
    command = rollback_command(bet_id, request_id="rb-1")
    casino.ledger.execute(command)
    assert casino.ledger.execute(command).replayed
    assert bet_of(casino, bet_id).status == "OPEN"


def test_rollback_of_a_win_already_spent_is_a_conflict(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "WIN", "25")
    debit(casino, "p1", "USDT", "100")                # 15 left: the payout is spent
    refused(casino, Conflict, rollback_command(bet_id))
    assert bet_of(casino, bet_id).status == "SETTLED"
    assert wallet(casino)["cash"] == D(15)
    assert_books(casino)


def test_rollback_of_a_bonus_win_whose_bonus_share_is_spent_is_a_conflict(casino):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "20", balance="bonus")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "WIN", "25")           # cash 15, bonus 26
    debit(casino, "p1", "USDT", "20", balance="bonus")
    refused(casino, Conflict, rollback_command(bet_id))
    assert wallet(casino) == {"cash": D(15), "bonus": D(6), "locked": D(0),
                              "bonus_locked": D(0)}


def test_rollback_of_a_push_whose_returned_stake_is_spent_is_a_conflict(casino):
    """Like a spent win: the provider learns the state moved on (409 conflict)."""
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    settle_bet(casino, bet_id, "PUSH")
    debit(casino, "p1", "USDT", "95")
    refused(casino, Conflict, rollback_command(bet_id))
    assert bet_of(casino, bet_id).status == "SETTLED"


@pytest.mark.parametrize("finish", ["refund", "rollback"])
def test_rollback_of_a_refunded_or_cancelled_bet_is_a_conflict(casino, finish):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10")
    (refund_bet if finish == "refund" else roll_back_bet)(casino, bet_id)
    refused(casino, Conflict, rollback_command(bet_id))


# Providers see only their own bets.

def test_a_provider_cannot_settle_refund_or_roll_back_another_providers_bet(casino):
    credit(casino, "p1", "USDT", "100")
    bet_id = place(casino, "10", provider=PROVIDER)
    refused(casino, NotFound, settle_command(casino, bet_id, "WIN", "1000",
                                             provider=OTHER_PROVIDER))
    refused(casino, NotFound, refund_command(bet_id, provider=OTHER_PROVIDER))
    refused(casino, NotFound, rollback_command(bet_id, provider=OTHER_PROVIDER))
    assert bet_of(casino, bet_id).status == "OPEN"


# Rejections: a reason, and nothing appended.

@pytest.mark.parametrize("stake, currency, game, reason", [
    ("10", "USDT", "no-such-game", "UNKNOWN_GAME"),
    ("10", "DOGE", None, "UNKNOWN_CURRENCY"),
    ("10", "usdt", None, "UNKNOWN_CURRENCY"),
    ("0", "USDT", None, "INVALID_AMOUNT"),
    ("-5", "USDT", None, "INVALID_AMOUNT"),
    ("1.0000001", "USDT", None, "INVALID_AMOUNT"),
    ("NaN", "USDT", None, "INVALID_AMOUNT"),
    ("Infinity", "USDT", None, "INVALID_AMOUNT"),
    ("100.000001", "USDT", None, "INSUFFICIENT_FUNDS"),
    ("0.1", "BTC", None, "INSUFFICIENT_FUNDS"),       # no BTC wallet at all
])
def test_bet_that_breaks_a_rule_is_rejected_with_its_reason(casino, stake, currency,
                                                            game, reason):
    credit(casino, "p1", "USDT", "100")
    command = bet_command("p1", stake, currency, **({"game": game} if game else {}))
    assert rejected(casino, command) == reason
    assert wallet(casino)["locked"] == 0


def test_stake_over_cash_and_bonus_together_is_insufficient_funds(casino):
    credit(casino, "p1", "USDT", "6")
    credit(casino, "p1", "USDT", "4", balance="bonus")
    place(casino, "7")
    assert rejected(casino, bet_command("p1", "3.000001")) == "INSUFFICIENT_FUNDS"
    place(casino, "3")


def test_rejected_bet_retried_once_the_player_has_funds_is_accepted(casino):
    command = bet_command("p1", "10", request_id="bet-1")
    credit(casino, "p1", "USDT", "5")
    assert rejected(casino, command) == "INSUFFICIENT_FUNDS"
    credit(casino, "p1", "USDT", "5")
    assert casino.ledger.execute(command).result.status == "ACCEPTED"


def test_stake_over_the_configured_maximum_is_rejected(configured):
    services = configured('[bets.max_stake]\nUSDT = "100"\n')
    credit(services, "p1", "USDT", "1000")
    credit(services, "p1", "BTC", "1")
    place(services, "100")
    assert rejected(services, bet_command("p1", "100.000001")) == "MAX_STAKE"
    place(services, "0.5", currency="BTC")            # no maximum for BTC
    assert_books(services)


def test_self_excluded_player_is_rejected_until_the_exclusion_ends(casino, frozen_clock):
    credit(casino, "p1", "USDT", "100")
    set_limits(casino, "p1", excluded_until=frozen_clock.now() + timedelta(days=1))
    assert rejected(casino, bet_command("p1", "1")) == "SELF_EXCLUDED"
    frozen_clock.advance(timedelta(days=1))
    place(casino, "1")


def test_bet_that_could_break_the_daily_loss_limit_is_rejected(casino, frozen_clock):
    credit(casino, "p1", "USDT", "1000")
    set_limits(casino, "p1", daily={"USDT": "100"})
    settle_bet(casino, place(casino, "60"), "LOSS")
    place(casino, "30")                               # open: 60 + 30
    place(casino, "10")                               # exactly 100
    assert rejected(casino, bet_command("p1", "0.000001")) == "DAILY_LOSS_LIMIT"
    assert_books(casino)


def test_setting_the_same_limits_again_records_nothing(casino):
    set_limits(casino, "p1", daily={"USDT": "100"})
    head = casino.ledger.head()
    assert set_limits(casino, "p1", daily={"USDT": "100.000000"}).replayed
    assert casino.ledger.head() == head


# The daily loss limit across a UTC midnight.

def test_daily_loss_limit_starts_afresh_at_midnight_utc(casino, frozen_clock):
    credit(casino, "p1", "USDT", "1000")
    set_limits(casino, "p1", daily={"USDT": "100"})
    settle_bet(casino, place(casino, "60"), "LOSS")
    still_open = place(casino, "40")
    assert rejected(casino, bet_command("p1", "1")) == "DAILY_LOSS_LIMIT"
    frozen_clock.advance(timedelta(hours=11, minutes=59, seconds=59))   # 23:59:59
    assert rejected(casino, bet_command("p1", "1")) == "DAILY_LOSS_LIMIT"
    frozen_clock.advance(timedelta(seconds=1))                         # 00:00 UTC
    place(casino, "60")                               # 0 today + 40 open + 60
    assert rejected(casino, bet_command("p1", "0.000001")) == "DAILY_LOSS_LIMIT"
    settle_bet(casino, still_open, "LOSS")            # counts on the day it settles
    player = player_of(casino, "p1")
    assert player.net_loss_on(frozen_clock.now().date(), "USDT") == D(40)
    assert_books(casino)


def test_refund_of_yesterdays_loss_does_not_raise_todays_limit(casino, frozen_clock):
    """Yesterday's loss counted against yesterday; its refund must not make room today."""
    credit(casino, "p1", "USDT", "1000")
    set_limits(casino, "p1", daily={"USDT": "100"})
    lost = place(casino, "100")
    settle_bet(casino, lost, "LOSS")
    frozen_clock.advance(timedelta(days=1))
    refund_bet(casino, lost)
    place(casino, "100")
    assert rejected(casino, bet_command("p1", "100")) == "DAILY_LOSS_LIMIT"


# XP and the VIP ladder.

def test_settled_bets_earn_their_stake_in_usd_as_xp_but_a_void_earns_none(casino):
    credit(casino, "p1", "USDT", "1000")
    credit(casino, "p1", "BTC", "1")
    settle_bet(casino, place(casino, "600"), "LOSS")
    settle_bet(casino, place(casino, "100"), "PUSH")
    settle_bet(casino, place(casino, "100"), "VOID")
    assert (player_of(casino, "p1").xp, player_of(casino, "p1").level) == (D(700), "Wood")
    settle_bet(casino, place(casino, "0.005", currency="BTC"), "WIN", "0.01")  # 300 USD
    assert (player_of(casino, "p1").xp, player_of(casino, "p1").level) == (D(1000),
                                                                           "Metal")


def test_player_climbs_the_whole_ladder_one_level_at_a_time(casino):
    credit(casino, "p1", "USDT", "8000000")
    climbed = []
    for stake in ("1000", "4000", "20000", "75000", "400000", "2000000", "7500000"):
        settle_bet(casino, place(casino, stake), "PUSH")
        climbed.append(player_of(casino, "p1").level)
    assert climbed == ["Metal", "Bronze", "Silver", "Gold", "Platinum", "Diamond", "Beast"]
    assert player_of(casino, "p1").xp == D(10_000_000)
    assert wallet(casino)["cash"] == D(8_000_000)


def test_xp_is_kept_when_a_bet_is_refunded_or_rolled_back(casino):
    credit(casino, "p1", "USDT", "5000")
    bet_id = place(casino, "1500")
    settle_bet(casino, bet_id, "LOSS")
    refund_bet(casino, bet_id)
    assert (player_of(casino, "p1").xp, player_of(casino, "p1").level) == (D(1500), "Metal")


def test_manual_vip_level_stays_until_xp_passes_it(casino):
    credit(casino, "p1", "USDT", "10000")
    set_vip_level(casino, "p1", "Silver")
    assert player_of(casino, "p1").level == "Silver"
    settle_bet(casino, place(casino, "6000"), "PUSH")   # Bronze by XP
    assert player_of(casino, "p1").level == "Silver"
    refused(casino, InvalidInput, SetVipLevel(player_id="p1", level="Emerald",
                                              actor="vip-manager-1", reason="promo"))
