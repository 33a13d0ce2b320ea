"""The seamless wallet over HTTP: a provider places, settles, refunds and rolls back bets.

Every call is signed by the provider (see test_http_bet_guards.py for what is
refused) and goes through the real app onto SQLite and PostgreSQL; balances
and ledger entries are read back from the views at the command's position.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.http_helpers import assert_error, at_precision, bet_body, entries_of, wallet

D = Decimal
WALLET_FIGURES = ("balanceAfter", "cashAfter", "bonusAfter")


@pytest.fixture
def funded(adjust, game) -> int:
    """p1 holds 100 USDT cash; slot-99 is in the catalogue. The log position."""
    game()
    return adjust(playerId="p1", currency="USDT", amount="100").json()["position"]


# Placement.

def test_an_accepted_bet_holds_the_stake_and_answers_the_wallet_after(
        client, operator, funded, signed):
    placed = signed("/v1/bets/place", bet_body())
    assert placed.status_code == 200, placed.text
    body = placed.json()
    assert body["status"] == "ACCEPTED" and body["currency"] == "USDT"
    assert int(placed.headers["X-Log-Position"]) == body["position"] > funded
    at_precision(body, 6, "hold", "cashPart", "bonusPart", *WALLET_FIGURES)
    assert (D(body["hold"]), D(body["cashPart"]), D(body["bonusPart"])) == (10, 10, 0)
    assert (D(body["balanceAfter"]), D(body["cashAfter"]), D(body["bonusAfter"])) == (
        90, 90, 0)
    assert wallet(client, operator, at=body["position"]) == {
        "cash": 100, "bonus": 0, "locked": 10, "bonusLocked": 0, "available": 90}
    assert entries_of(client, operator, body["betId"], body["position"]) == [
        ("HOLD", "available", D(-10)), ("HOLD", "locked", D(10))]


# Settlement: each outcome end to end.

OUTCOMES = {
    # outcome, payout sent: balance after, the bet's entries after the hold
    "WIN": ("WIN", "25", "25", 115, [("SETTLE_DEBIT", "locked", D(-10)),
                                      ("PAYOUT", "available", D(25))]),
    "LOSS": ("LOSS", "0", "0", 90, [("SETTLE_DEBIT", "locked", D(-10))]),
    "PUSH": ("PUSH", "10.00", "0", 100, [("HOLD_RELEASE", "available", D(10)),
                                         ("HOLD_RELEASE", "locked", D(-10))]),
    "VOID": ("VOID", "0", "0", 100, [("HOLD_RELEASE", "available", D(10)),
                                     ("HOLD_RELEASE", "locked", D(-10))]),
}


@pytest.mark.parametrize("outcome, payout, recorded, balance, entries",
                         OUTCOMES.values(), ids=OUTCOMES.keys())
def test_settling_each_outcome_moves_the_money(client, operator, funded, place, settle,
                                               outcome, payout, recorded, balance,
                                               entries):
    bet = place()
    settled = settle("r-1", (bet["betId"], outcome, payout))
    assert settled.status_code == 200, settled.text
    body = settled.json()
    assert int(settled.headers["X-Log-Position"]) == body["position"]
    [line] = body["bets"]
    assert (line["betId"], line["outcome"], line["currency"]) == (bet["betId"], outcome,
                                                                   "USDT")
    at_precision(line, 6, "payout", *WALLET_FIGURES)
    assert D(line["payout"]) == D(recorded) and D(line["balanceAfter"]) == balance
    assert wallet(client, operator, at=body["position"]) == {
        "cash": balance, "bonus": 0, "locked": 0, "bonusLocked": 0, "available": balance}
    assert entries_of(client, operator, bet["betId"], body["position"])[2:] == entries


def test_stakes_and_winnings_keep_cash_and_bonus_apart(client, operator, adjust, game,
                                                       place, settle):
    game()
    adjust(currency="USDT", amount="4")
    adjust(currency="USDT", amount="20", balance="bonus")
    bet = place()  # cash first: 4 cash, 6 bonus
    assert (D(bet["cashPart"]), D(bet["bonusPart"]), D(bet["cashAfter"]),
            D(bet["bonusAfter"])) == (4, 6, 0, 14)
    [line] = settle("r-1", (bet["betId"], "WIN", "30")).json()["bets"]
    # 60% of the stake was bonus, so 60% of the payout (18) is bonus money.
    assert (D(line["cashAfter"]), D(line["bonusAfter"])) == (12, 32)
    assert D(line["balanceAfter"]) == 44


def test_one_settlement_settles_every_bet_of_a_round(client, operator, adjust, game,
                                                     place, settle):
    game()
    for player in ("p1", "p2"):
        adjust(playerId=player, currency="USDT", amount="50")
    first = place(playerId="p1", roundId="table-7")
    second = place(playerId="p2", roundId="table-7", stake={"amount": "20",
                                                              "currency": "USDT"})
    settled = settle("table-7", (first["betId"], "LOSS", "0"),
                     (second["betId"], "WIN", "50"))
    assert settled.status_code == 200, settled.text
    position = settled.json()["position"]
    assert [(b["betId"], D(b["balanceAfter"])) for b in settled.json()["bets"]] == [
        (first["betId"], 40), (second["betId"], 80)]
    assert wallet(client, operator, "p1", at=position)["cash"] == 40
    assert wallet(client, operator, "p2", at=position)["cash"] == 80


# Refund and rollback.

def test_refunding_an_open_bet_releases_its_hold(client, operator, funded, place, signed):
    bet = place()
    refunded = signed(f"/v1/bets/{bet['betId']}/refund",
                      {"requestId": "refund-1", "reason": "game crashed"})
    assert refunded.status_code == 200, refunded.text
    body = refunded.json()
    assert (body["status"], D(body["amount"]), D(body["balanceAfter"])) == (
        "REFUNDED", 10, 100)
    at_precision(body, 6, "amount", *WALLET_FIGURES)
    assert wallet(client, operator, at=body["position"])["locked"] == 0


def test_refunding_a_lost_bet_returns_the_stake(client, operator, funded, place, settle,
                                                signed):
    bet = place()
    settle("r-1", (bet["betId"], "LOSS", "0"))
    refunded = signed(f"/v1/bets/{bet['betId']}/refund", {"requestId": "refund-1"})
    assert D(refunded.json()["balanceAfter"]) == 100
    assert entries_of(client, operator, bet["betId"], refunded.json()["position"])[-1] == (
        "REFUND", "available", D(10))


def test_a_won_bet_is_rolled_back_before_it_can_be_refunded(client, operator, funded,
                                                           place, settle, signed):
    bet = place()
    settle("r-1", (bet["betId"], "WIN", "25"))
    refund = {"requestId": "refund-1"}
    assert_error(signed(f"/v1/bets/{bet['betId']}/refund", refund), 409, "conflict",
                 "roll a win back first")
    rolled = signed(f"/v1/bets/{bet['betId']}/rollback", {"requestId": "rollback-1"})
    assert rolled.status_code == 200, rolled.text
    assert (rolled.json()["status"], D(rolled.json()["balanceAfter"])) == ("OPEN", 90)
    assert wallet(client, operator, at=rolled.json()["position"])["locked"] == 10
    relost = settle("r-1", (bet["betId"], "LOSS", "0"))
    assert D(relost.json()["bets"][0]["balanceAfter"]) == 90


def test_rolling_back_a_placement_cancels_the_bet(client, operator, funded, place,
                                                  signed, settle):
    bet = place()
    rolled = signed(f"/v1/bets/{bet['betId']}/rollback", {"requestId": "rollback-1"})
    assert (rolled.json()["status"], D(rolled.json()["balanceAfter"])) == (
        "CANCELLED", 100)
    assert_error(settle("r-1", (bet["betId"], "WIN", "25")), 409, "conflict", "cancelled")


# Retries and conflicts.

def test_a_retried_placement_answers_the_same_and_appends_nothing(funded, signed,
                                                                  log_head):
    first = signed("/v1/bets/place", bet_body())
    head = log_head()
    again = signed("/v1/bets/place", bet_body())
    assert again.json() == first.json()
    assert again.headers["X-Log-Position"] == first.headers["X-Log-Position"]
    assert log_head() == head


def test_retried_settlement_refund_and_rollback_answer_the_same(funded, place, settle,
                                                                signed, log_head):
    lost, other = place()["betId"], place()["betId"]
    calls = [lambda: settle("r-1", (lost, "LOSS", "0"), request_id="s-1"),
             lambda: signed(f"/v1/bets/{lost}/refund", {"requestId": "f-1"}),
             lambda: signed(f"/v1/bets/{other}/rollback", {"requestId": "b-1"})]
    for call in calls:
        first = call()
        assert first.status_code == 200, first.text
        head = log_head()
        assert call().json() == first.json()
        assert log_head() == head


@pytest.mark.parametrize("change", [
    {"stake": {"amount": "11", "currency": "USDT"}}, {"playerId": "p2"},
    {"gameId": "other"}, {"roundId": "r-2"}])
def test_reusing_a_placement_request_id_for_another_bet_is_a_conflict(
        funded, place, signed, log_head, change):
    place(requestId="dup")
    head = log_head()
    assert_error(signed("/v1/bets/place", bet_body(requestId="dup", **change)), 409,
                 "conflict", "dup")
    assert log_head() == head


def test_settling_a_settled_bet_another_way_is_a_conflict(client, operator, funded,
                                                          place, settle, log_head):
    bet = place()
    won = settle("r-1", (bet["betId"], "WIN", "25"), request_id="s-1")
    head = log_head()
    assert_error(settle("r-1", (bet["betId"], "LOSS", "0"), request_id="s-2"), 409,
                 "conflict")
    assert_error(settle("r-1", (bet["betId"], "WIN", "30"), request_id="s-1"), 409,
                 "conflict", "s-1")
    assert log_head() == head
    # The same settlement under a new requestId is recorded, but moves no money.
    same = settle("r-1", (bet["betId"], "WIN", "25"), request_id="s-3")
    assert same.json()["bets"] == won.json()["bets"]
    assert wallet(client, operator, at=same.json()["position"])["cash"] == 115


def test_settling_an_unknown_or_foreign_bet_is_404_and_changes_nothing(
        funded, place, settle, signed, log_head):
    bet = place()
    head = log_head()
    for bet_id in ("5d7c9a3e-0000-4000-8000-000000000000", "not-a-uuid"):
        assert_error(settle("r-1", (bet_id, "WIN", "1")), 404, "not_found", bet_id)
    assert_error(settle("r-1", (bet["betId"], "WIN", "1"), provider="globex"), 404,
                 "not_found")
    for action in ("refund", "rollback"):
        assert_error(signed(f"/v1/bets/{bet['betId']}/{action}", {"requestId": "x"},
                            provider="globex"), 404, "not_found")
    assert log_head() == head


BAD_SETTLEMENTS = {
    "a WIN paying nothing": ("WIN", "0", "payout"),
    "a LOSS paying out": ("LOSS", "5", "payout"),
    "a PUSH paying more than the stake": ("PUSH", "11", "payout"),
    "excess precision": ("WIN", "1.0000001", "payout"),
    "negative payout": ("WIN", "-1", "payout"),
    "a JSON number": ("WIN", 25, "payout"),
    "not a number": ("WIN", "lots", "payout"),
    "NaN": ("WIN", "NaN", "payout"),
    "unknown outcome": ("JACKPOT", "25", "outcome"),
}


@pytest.mark.parametrize("outcome, payout, field", BAD_SETTLEMENTS.values(),
                         ids=BAD_SETTLEMENTS.keys())
def test_a_bad_settlement_is_422_and_changes_nothing(funded, place, settle, log_head,
                                                     outcome, payout, field):
    bet = place()
    head = log_head()
    assert_error(settle("r-1", (bet["betId"], outcome, payout)), 422, "invalid_input",
                 field)
    assert log_head() == head


def test_a_bet_settled_in_another_round_or_twice_in_one_is_422(funded, place, settle,
                                                              log_head):
    bet = place()
    head = log_head()
    assert_error(settle("r-2", (bet["betId"], "LOSS", "0")), 422, "invalid_input", "r-1")
    assert_error(settle("r-1", (bet["betId"], "LOSS", "0"), (bet["betId"], "LOSS", "0")),
                 422, "invalid_input", "bets")
    assert_error(settle("r-1"), 422, "invalid_input", "bets")
    assert log_head() == head
