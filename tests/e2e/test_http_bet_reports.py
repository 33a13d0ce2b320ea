"""Reading bets back over HTTP: a player's bet history, and the P&L report (GGR, NGR)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from api.http.auth import Role
from tests.e2e.http_helpers import assert_error

D = Decimal
PNL = "/v1/admin/reports/pnl"


@pytest.fixture
def funded(adjust, game) -> None:
    game()
    adjust(playerId="p1", currency="USDT", amount="1000")


def history(client, headers, at, **params):
    read = client.get("/v1/players/p1/bets", params=params,
                      headers={**headers, "X-Min-Position": str(at)})
    assert read.status_code == 200, read.text
    return read.json()


# Bet history.

def test_bet_history_pages_newest_first_without_gaps(client, auth, funded, place, settle):
    bets = [place(roundId=f"r-{n}", stake={"amount": str(n), "currency": "USDT"})
            for n in range(1, 8)]
    last = settle("r-7", (bets[-1]["betId"], "WIN", "14")).json()["position"]
    player = auth(Role.PLAYER, "p1")
    pages, cursor = [], None
    while len(pages) < 5:
        page = history(client, player, last, limit=3, **({"cursor": cursor} if cursor else {}))
        pages.append(page["bets"])
        if (cursor := page["nextCursor"]) is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [b for p in pages for b in p]
    assert [b["betId"] for b in seen] == [b["betId"] for b in reversed(bets)]
    newest = seen[0]
    assert newest | {"placedAt": None, "settledAt": None} == {
        "betId": bets[-1]["betId"], "playerId": "p1", "provider": "acme",
        "gameId": "slot-99", "roundId": "r-7", "currency": "USDT", "stake": "7.000000",
        "cashPart": "7.000000", "bonusPart": "0.000000", "status": "SETTLED",
        "outcome": "WIN", "payout": "14.000000", "rtp": "99", "category": "slots",
        "gameProvider": "pragmatic", "houseGame": False, "placedAt": None,
        "settledAt": None}
    assert newest["placedAt"] <= newest["settledAt"]
    assert [(b["status"], b["outcome"], b["settledAt"]) for b in seen[1:]] == [
        ("OPEN", None, None)] * 6


def test_bet_history_follows_refunds_and_rollbacks(client, operator, funded, place,
                                                   settle, signed):
    lost, won, placed = place(), place(), place()
    settle("r-1", (lost["betId"], "LOSS", "0"), (won["betId"], "WIN", "30"))
    signed(f"/v1/bets/{lost['betId']}/refund", {"requestId": "f-1"})
    signed(f"/v1/bets/{won['betId']}/rollback", {"requestId": "b-1"})
    last = signed(f"/v1/bets/{placed['betId']}/rollback", {"requestId": "b-2"})
    rows = {b["betId"]: (b["status"], b["outcome"], b["payout"])
            for b in history(client, operator, last.json()["position"])["bets"]}
    assert rows == {lost["betId"]: ("REFUNDED", "LOSS", "0.000000"),
                    won["betId"]: ("OPEN", None, "0.000000"),
                    placed["betId"]: ("CANCELLED", None, "0.000000")}


def test_bet_history_is_the_players_own_or_staffs(client, auth, funded, place):
    at = place()["position"]
    assert_error(client.get("/v1/players/p1/bets", headers=auth(Role.PLAYER, "p2")), 403,
                 "forbidden")
    assert_error(client.get("/v1/players/p1/bets", headers=auth(Role.PROVIDER, "acme")),
                 403, "forbidden")
    for role in (Role.OPERATOR, Role.FINANCE, Role.COMPLIANCE):
        assert len(history(client, auth(role, "staff"), at)["bets"]) == 1


@pytest.mark.parametrize("params, field", [({"cursor": "last"}, "cursor"),
                                           ({"limit": 0}, "limit"),
                                           ({"limit": 501}, "limit")])
def test_a_bad_bet_cursor_or_limit_is_422(client, operator, params, field):
    read = client.get("/v1/players/p1/bets", params=params, headers=operator)
    assert_error(read, 422, "invalid_input", field)


# P&L.

@pytest.fixture
def two_days(client, adjust, game, place, settle, signed, frozen_clock) -> int:
    """Bets on 2026-01-15 and 2026-01-16 on two games; the last log position."""
    game("slot-99")
    game("live-97", rtp="97", category="live", provider="evolution")
    adjust(playerId="p1", currency="USDT", amount="1000")
    adjust(playerId="p1", currency="USDT", amount="100", balance="bonus")
    adjust(playerId="p1", currency="BTC", amount="1")
    # Jan 15: slot-99 a loss of 100 (cash) and a win of 50 paying 120; live-97
    # a push of 30; a BTC loss of 0.1; a voided bet counts nothing.
    loss = place(stake={"amount": "100", "currency": "USDT"})
    win = place(stake={"amount": "50", "currency": "USDT"})
    push = place(gameId="live-97", roundId="live-1", stake={"amount": "30",
                                                            "currency": "USDT"})
    btc = place(stake={"amount": "0.1", "currency": "BTC"})
    void = place(stake={"amount": "5", "currency": "USDT"})
    settle("r-1", (loss["betId"], "LOSS", "0"), (win["betId"], "WIN", "120"),
           (btc["betId"], "LOSS", "0"), (void["betId"], "VOID", "0"))
    settle("live-1", (push["betId"], "PUSH", "30"))
    # Jan 16: 970 left in cash, so a stake of 1000 takes 30 of bonus; it loses.
    frozen_clock.advance(timedelta(days=1))
    mixed = place(stake={"amount": "1000", "currency": "USDT"})
    assert (D(mixed["cashPart"]), D(mixed["bonusPart"])) == (970, 30)
    return settle("r-1", (mixed["betId"], "LOSS", "0")).json()["position"]


def report(client, headers, at, **params):
    read = client.get(PNL, params={"from": "2026-01-01", "to": "2026-01-31"} | params,
                      headers={**headers, "X-Min-Position": str(at)})
    assert read.status_code == 200, read.text
    return [(r["day"], r["gameId"], r["provider"], r["currency"], r["wagered"], r["won"],
             r["ggr"], r["bonusStake"], r["ngr"], r["bets"]) for r in read.json()["rows"]]


def test_pnl_shows_ggr_and_ngr_per_day_game_and_currency(client, operator, two_days):
    assert report(client, operator, two_days) == [
        ("2026-01-15", "live-97", "evolution", "USDT", "30.000000", "30.000000",
         "0.000000", "0.000000", "0.000000", 1),
        ("2026-01-15", "slot-99", "pragmatic", "BTC", "0.10000000", "0.00000000",
         "0.10000000", "0.00000000", "0.10000000", 1),
        ("2026-01-15", "slot-99", "pragmatic", "USDT", "150.000000", "120.000000",
         "30.000000", "0.000000", "30.000000", 2),
        ("2026-01-16", "slot-99", "pragmatic", "USDT", "1000.000000", "0.000000",
         "1000.000000", "30.000000", "970.000000", 1),
    ]


def test_pnl_filters_by_days_currency_game_and_provider(client, auth, two_days):
    finance = auth(Role.FINANCE, "fin-alice")
    days = lambda **p: [(r[0], r[1], r[3]) for r in report(client, finance, two_days, **p)]
    assert days(**{"from": "2026-01-16", "to": "2026-01-16"}) == [
        ("2026-01-16", "slot-99", "USDT")]
    assert days(currency="BTC") == [("2026-01-15", "slot-99", "BTC")]
    assert days(gameId="live-97") == days(provider="evolution") == [
        ("2026-01-15", "live-97", "USDT")]
    assert days(**{"from": "2025-12-01", "to": "2025-12-31"}) == []


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-01-02", "to": "2026-01-01"}, "to"),
    ({"from": "2026-01-01"}, "to"),
    ({"from": "yesterday", "to": "2026-01-01"}, "from"),
    ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
])
def test_a_bad_report_period_is_422(client, operator, params, field):
    assert_error(client.get(PNL, params=params, headers=operator), 422, "invalid_input",
                 field)


@pytest.mark.parametrize("role", [Role.PLAYER, Role.PROVIDER, Role.COMPLIANCE,
                                  Role.REGULATOR])
def test_pnl_is_for_operators_and_finance(client, auth, role):
    params = {"from": "2026-01-01", "to": "2026-01-31"}
    assert_error(client.get(PNL, params=params, headers=auth(role, "x")), 403, "forbidden")
