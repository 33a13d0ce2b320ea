"""Hub88's Operator Wallet API played as documented, and the incidents seen in
seamless wallets, each answered with Hub88's status and the player's balance.

Amounts are 1/100,000 of a unit: the player starts with 10 USDT, 1000000.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from api.http.auth import Role
from tests.e2e.hub88_fixtures import GAME, USER, hub88, hub88_key, launch, settings  # noqa: F401 (fixtures)
from tests.e2e.http_helpers import wallet

START = 1_000_000


@pytest.fixture
def token(client, game, adjust, launch) -> str:
    """john12345 holds 10 USDT and plays clt_dragonrising."""
    game(GAME, provider="netent")
    adjust(playerId=USER, currency="USDT", amount="10")
    return launch()


def bet(token: str, uuid: str, amount: int, round_id: str = "round-1", **extra):
    return {"user": USER, "token": token, "transaction_uuid": uuid,
            "supplier_transaction_id": f"s-{uuid}", "round": round_id,
            "round_closed": False, "game_code": GAME, "currency": "USDT",
            "amount": amount, "is_free": False, "reward_uuid": None, "bet": "zero",
            "meta": {"selection": "home_team"}} | extra


def win(token: str, uuid: str, amount: int, reference: str | None,
        round_id: str = "round-1", **extra):
    return bet(token, uuid, amount, round_id, reference_transaction_uuid=reference,
               round_closed=True) | extra


def rollback(token: str, uuid: str, reference: str, round_id: str = "round-1"):
    return {"user": USER, "token": token, "transaction_uuid": uuid,
            "supplier_transaction_id": f"s-{uuid}", "round": round_id,
            "round_closed": True, "game_code": GAME, "reference_transaction_uuid": reference,
            "meta": {}}


def answered(body: dict, status: str, balance: int, request_uuid: str | None = None):
    assert body["status"] == status, body
    assert body["balance"] == balance, body
    assert body["currency"] == "USDT"
    assert body["user"] == USER
    if request_uuid is not None:
        assert body["request_uuid"] == request_uuid


def bets_of(client, operator, services, player: str = USER) -> list[dict]:
    services.projections.wait(services.ledger.head(), 10)
    read = client.get(f"/v1/players/{player}/bets", headers=operator)
    assert read.status_code == 200, read.text
    return read.json()["bets"]


# The documented calls, field by field.

def test_user_info_answers_the_user_and_request_uuid(hub88, token):
    body = hub88("/user/info", {"user": USER,
                                "request_uuid": "583c985f-fee6-4c0e-bbf5-308aad6265af"})
    assert body == {"user": USER, "status": "RS_OK",
                    "request_uuid": "583c985f-fee6-4c0e-bbf5-308aad6265af"}


def test_user_balance_answers_in_hundred_thousandths(hub88, token):
    body = hub88("/user/balance", {"user": USER, "token": token, "game_code": GAME,
                                   "request_uuid": "583c985f-fee6-4c0e-bbf5-308aad6265af"})
    assert body == {"user": USER, "status": "RS_OK", "currency": "USDT",
                    "balance": START,
                    "request_uuid": "583c985f-fee6-4c0e-bbf5-308aad6265af"}


def test_a_bet_and_its_win_move_the_balance_and_settle_under_the_named_game(
        client, hub88, token, operator, services):
    placed = hub88("/transaction/bet", bet(token, "16d2dcfe-b89e-11e7-854a-58404eea6d16",
                                           100500) | {"request_uuid": "r-bet"})
    assert placed == {"user": USER, "status": "RS_OK", "request_uuid": "r-bet",
                      "currency": "USDT", "balance": START - 100500}
    paid = hub88("/transaction/win", win(token, "w-1", 201000,
                                         "16d2dcfe-b89e-11e7-854a-58404eea6d16"))
    answered(paid, "RS_OK", START - 100500 + 201000)
    [row] = bets_of(client, operator, services)
    assert (row["provider"], row["gameId"], row["gameProvider"], row["roundId"]) == (
        "hub88", GAME, "netent", "round-1")
    assert (row["status"], row["outcome"], row["stake"], row["payout"]) == (
        "SETTLED", "WIN", "1.005000", "2.010000")
    day = row["placedAt"][:10]
    pnl = client.get("/v1/admin/reports/pnl", headers=operator,
                     params={"from": day, "to": day, "gameId": GAME})
    assert pnl.status_code == 200, pnl.text
    assert [(r["gameId"], r["provider"], r["wagered"], r["won"], r["ggr"], r["bets"])
            for r in pnl.json()["rows"]] == [
        (GAME, "netent", "1.005000", "2.010000", "-1.005000", 1)]


# Incidents.

def test_a_bet_retried_after_a_timeout_is_debited_once(hub88, token):
    first = hub88("/transaction/bet", bet(token, "t-1", 300000))
    again = hub88("/transaction/bet", bet(token, "t-1", 300000) | {"request_uuid": "retry"})
    answered(first, "RS_OK", START - 300000)
    answered(again, "RS_OK", START - 300000, "retry")


def test_a_rollback_that_arrives_before_its_bet_refuses_the_bet(hub88, token, client,
                                                               operator):
    early = hub88("/transaction/rollback", rollback(token, "rb-1", "t-late"))
    answered(early, "RS_ERROR_TRANSACTION_DOES_NOT_EXIST", START)
    late = hub88("/transaction/bet", bet(token, "t-late", 100000))
    answered(late, "RS_ERROR_UNKNOWN", START)
    again = hub88("/transaction/rollback", rollback(token, "rb-1", "t-late"))
    answered(again, "RS_ERROR_TRANSACTION_DOES_NOT_EXIST", START)
    assert wallet(client, operator, USER)["available"] == 10


def test_a_win_for_a_rolled_back_bet_does_not_exist(hub88, token):
    hub88("/transaction/bet", bet(token, "t-1", 200000))
    answered(hub88("/transaction/rollback", rollback(token, "rb-1", "t-1")), "RS_OK", START)
    answered(hub88("/transaction/win", win(token, "w-1", 500000, "t-1")),
             "RS_ERROR_TRANSACTION_DOES_NOT_EXIST", START)
    answered(hub88("/transaction/win", win(token, "w-2", 500000, "never-sent")),
             "RS_ERROR_TRANSACTION_DOES_NOT_EXIST", START)


def test_two_wins_for_one_bet_pay_both_and_settle_the_bet_with_their_sum(
        hub88, token, client, operator, services):
    hub88("/transaction/bet", bet(token, "t-1", 100000))
    hub88("/transaction/win", win(token, "w-1", 50000, "t-1", round_closed=False))
    second = hub88("/transaction/win", win(token, "w-2", 70000, "t-1"))
    answered(second, "RS_OK", START - 100000 + 120000)
    [row] = bets_of(client, operator, services)
    assert (row["outcome"], row["payout"]) == ("WIN", "1.200000")


def test_a_win_pays_only_a_bet_of_its_player_round_and_currency(hub88, token, launch,
                                                                 adjust):
    hub88("/transaction/bet", bet(token, "t-1", 100000))
    answered(hub88("/transaction/win", win(token, "w-1", 5000, "t-1", round_id="round-2")),
             "RS_ERROR_TRANSACTION_DOES_NOT_EXIST", START - 100000)
    adjust(playerId=USER, currency="BTC", amount="1")
    in_btc = launch(currency="BTC")
    other = hub88("/transaction/win", win(in_btc, "w-2", 5000, "t-1", currency="BTC"))
    assert (other["status"], other["currency"]) == ("RS_ERROR_WRONG_CURRENCY", "BTC")
    adjust(playerId="other1", currency="USDT", amount="5")
    theirs = hub88("/transaction/win", win(launch("other1"), "w-3", 5000, "t-1")
                   | {"user": "other1"})
    assert theirs["status"] == "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"
    answered(hub88("/transaction/win", win(token, "w-4", 5000, "t-1")), "RS_OK",
             START - 100000 + 5000)


def test_a_free_round_win_is_paid_without_a_bet(hub88, token):
    free_bet = hub88("/transaction/bet", bet(token, "fb-1", 100000, is_free=True,
                                             reward_uuid="reward-7"))
    answered(free_bet, "RS_OK", START)
    paid = hub88("/transaction/win", win(token, "fw-1", 250000, "fb-1", is_free=True,
                                         reward_uuid="reward-7"))
    answered(paid, "RS_OK", START + 250000)
    promo = hub88("/transaction/win", win(token, "pw-1", 10000, None, round_id="promo"))
    answered(promo, "RS_OK", START + 260000)


def test_a_round_closed_with_no_win_settles_its_bets_as_lost(hub88, token, client,
                                                            operator, services):
    hub88("/transaction/bet", bet(token, "t-1", 100000))
    hub88("/transaction/bet", bet(token, "t-2", 200000))
    closed = hub88("/transaction/win", win(token, "w-0", 0, "t-2"))
    answered(closed, "RS_OK", START - 300000)
    rows = bets_of(client, operator, services)
    assert sorted((r["status"], r["outcome"], r["payout"]) for r in rows) == [
        ("SETTLED", "LOSS", "0.000000")] * 2
    refused = hub88("/transaction/bet", bet(token, "t-3", 100000))
    answered(refused, "RS_ERROR_UNKNOWN", START - 300000)


def test_a_bet_on_an_expired_token_is_refused_but_its_win_and_rollback_are_taken(
        hub88, token, frozen_clock, launch):
    token = launch()  # opened at the frozen instant; it lives 600 s
    hub88("/transaction/bet", bet(token, "t-1", 100000))
    hub88("/transaction/bet", bet(token, "t-2", 100000, round_id="round-2"))
    frozen_clock.advance(timedelta(seconds=601))
    answered(hub88("/transaction/bet", bet(token, "t-3", 100000)),
             "RS_ERROR_TOKEN_EXPIRED", START - 200000)
    answered(hub88("/user/balance", {"user": USER, "token": token, "game_code": GAME}),
             "RS_ERROR_TOKEN_EXPIRED", START - 200000)
    answered(hub88("/transaction/win", win(token, "w-1", 300000, "t-1")),
             "RS_OK", START + 100000)
    answered(hub88("/transaction/rollback", rollback(token, "rb-2", "t-2", "round-2")),
             "RS_OK", START + 200000)


def test_a_duplicate_transaction_with_other_content_is_refused(hub88, token):
    hub88("/transaction/bet", bet(token, "t-1", 100000))
    for change in ({"amount": 100001}, {"round": "round-9"}, {"game_code": "other"}):
        answered(hub88("/transaction/bet", bet(token, "t-1", 100000) | change),
                 "RS_ERROR_DUPLICATE_TRANSACTION", START - 100000)
    answered(hub88("/transaction/win", win(token, "t-1", 5, "t-1")),
             "RS_ERROR_DUPLICATE_TRANSACTION", START - 100000)


def test_not_enough_money_answers_the_balance(hub88, token):
    answered(hub88("/transaction/bet", bet(token, "t-1", START + 1)),
             "RS_ERROR_NOT_ENOUGH_MONEY", START)


def test_a_self_excluded_player_is_disabled(hub88, token, client, auth):
    limits = {"selfExcludedUntil": "2099-01-01T00:00:00Z", "dailyLossLimits": {},
              "reason": "player asked"}
    put = client.put(f"/v1/admin/players/{USER}/limits", json=limits,
                     headers=auth(Role.COMPLIANCE, "comp-carol"))
    assert put.status_code == 200, put.text
    answered(hub88("/transaction/bet", bet(token, "t-1", 100000)),
             "RS_ERROR_USER_DISABLED", START)


# What Hub88 sends wrong.

def test_a_bad_signature_is_refused_and_changes_nothing(hub88, token):
    raw = json.dumps(bet(token, "t-1", 100000) | {"request_uuid": "r-1"}).encode()
    for header in ("", "bm90IGEgc2lnbmF0dXJl", "*not base64*"):
        body = hub88("/transaction/bet", raw, signature=header)
        assert body == {"user": USER, "request_uuid": "r-1",
                        "status": "RS_ERROR_INVALID_SIGNATURE"}
    answered(hub88("/user/balance", {"user": USER, "token": token}), "RS_OK", START)
    answered(hub88("/transaction/bet", raw), "RS_OK", START - 100000)  # signed, it is taken


@pytest.mark.parametrize(("raw", "status"), [
    (b"{not json", "RS_ERROR_WRONG_SYNTAX"),
    (b"[]", "RS_ERROR_WRONG_SYNTAX"),
    (json.dumps({"request_uuid": "r"}).encode(), "RS_ERROR_WRONG_SYNTAX"),
])
def test_malformed_bodies_are_wrong_syntax(hub88, token, raw, status):
    assert hub88("/transaction/bet", raw)["status"] == status


@pytest.mark.parametrize("change", [{"amount": "100"}, {"amount": 1.5}, {"amount": -1},
                                    {"amount": 2**63}, {"amount": True},
                                    {"round_closed": "yes"}])
def test_fields_of_the_wrong_type_are_wrong_types(hub88, token, change):
    assert hub88("/transaction/bet", bet(token, "t-2", 100000) | change)["status"] == (
        "RS_ERROR_WRONG_TYPES")
    assert hub88("/user/balance", {"user": USER, "token": token})["balance"] == START


def test_tokens_name_one_player_and_one_currency(hub88, token, launch, adjust):
    adjust(playerId="other1", currency="USDT", amount="5")
    theirs = launch("other1")
    mismatched = hub88("/transaction/bet", bet(theirs, "t-1", 1000))  # user is john12345
    assert mismatched["status"] == "RS_ERROR_INVALID_TOKEN"
    assert hub88("/transaction/bet", bet(token + "x", "t-2", 1000))["status"] == (
        "RS_ERROR_INVALID_TOKEN")
    answered(hub88("/transaction/bet", bet(token, "t-3", 1000, currency="BTC")),
             "RS_ERROR_WRONG_CURRENCY", START)


def test_a_game_session_is_for_the_player_or_an_operator(client, auth, game):
    game(GAME)
    body = {"gameId": GAME, "currency": "USDT"}
    own = client.post(f"/v1/players/{USER}/game-sessions", json=body,
                      headers=auth(Role.PLAYER, USER))
    assert own.status_code == 200, own.text
    assert (own.json()["playerId"], own.json()["currency"]) == (USER, "USDT")
    other = client.post(f"/v1/players/{USER}/game-sessions", json=body,
                        headers=auth(Role.PLAYER, "someone"))
    assert other.status_code == 403
    unknown = client.post(f"/v1/players/{USER}/game-sessions", headers=auth(Role.PLAYER, USER),
                          json={"gameId": "nope", "currency": "USDT"})
    assert unknown.status_code == 404
