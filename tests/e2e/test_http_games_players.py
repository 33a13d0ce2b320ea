"""The back office over HTTP: the game catalogue, players' limits, and VIP levels."""

from __future__ import annotations

import pytest

from api.http.auth import Role
from tests.e2e.http_helpers import assert_error

GAME = "/v1/admin/games/slot-99"
GAME_BODY = {"rtp": "96.5", "category": "slots", "provider": "pragmatic",
             "houseGame": False}


@pytest.fixture
def compliance(auth):
    return auth(Role.COMPLIANCE, "comp-carol")


# Games.

def test_an_operator_puts_and_gets_a_game(client, operator, log_head):
    put = client.put(GAME, json=GAME_BODY, headers=operator)
    assert put.status_code == 200, put.text
    assert put.json() == {"gameId": "slot-99", "rtp": "96.5", "category": "slots",
                          "provider": "pragmatic", "houseGame": False, "version": 1}
    assert int(put.headers["X-Log-Position"]) == log_head()
    assert client.get(GAME, headers=operator).json() == put.json()


def test_putting_the_same_game_again_records_nothing(client, operator, log_head):
    first = client.put(GAME, json=GAME_BODY, headers=operator).json()
    head = log_head()
    again = client.put(GAME, json=GAME_BODY | {"rtp": "96.50"}, headers=operator)
    assert again.status_code == 200 and again.json() == first
    assert log_head() == head


def test_reconfiguring_a_game_keeps_the_bets_already_placed(client, operator, adjust,
                                                           game, place, auth):
    game(rtp="99")
    adjust(currency="USDT", amount="100")
    before = place()
    changed = game(rtp="97.25", category="table", houseGame=True)
    assert (changed["rtp"], changed["category"], changed["houseGame"],
            changed["version"]) == ("97.25", "table", True, 2)
    after = place()
    history = client.get("/v1/players/p1/bets", headers={
        **auth(Role.PLAYER, "p1"), "X-Min-Position": str(after["position"])}).json()
    assert {b["betId"]: (b["rtp"], b["category"], b["houseGame"])
            for b in history["bets"]} == {before["betId"]: ("99", "slots", False),
                                          after["betId"]: ("97.25", "table", True)}


def test_an_unknown_game_is_404(client, operator):
    assert_error(client.get("/v1/admin/games/nope", headers=operator), 404, "not_found",
                 "nope")


BAD_GAMES = {
    "rtp as a JSON number": ({"rtp": 96.5}, "rtp"),
    "rtp as a JSON integer": ({"rtp": 96}, "rtp"),
    "rtp zero": ({"rtp": "0"}, "rtp"),
    "rtp over 100": ({"rtp": "100.01"}, "rtp"),
    "rtp negative": ({"rtp": "-1"}, "rtp"),
    "rtp NaN": ({"rtp": "NaN"}, "rtp"),
    "rtp with 5 decimals": ({"rtp": "96.12345"}, "rtp"),
    "rtp not a number": ({"rtp": "high"}, "rtp"),
    "rtp with a percent sign": ({"rtp": "96.5%"}, "rtp"),
    "houseGame as a string": ({"houseGame": "yes"}, "houseGame"),
    "houseGame as 1": ({"houseGame": 1}, "houseGame"),
    "empty category": ({"category": ""}, "category"),
    "blank provider": ({"provider": "  "}, "provider"),
    "missing provider": ({"provider": None}, "provider"),
    "unknown field": ({"volatility": "high"}, "volatility"),
}


@pytest.mark.parametrize("change, field", BAD_GAMES.values(), ids=BAD_GAMES.keys())
def test_a_bad_game_is_422_and_changes_nothing(client, operator, log_head, change, field):
    body = {k: v for k, v in (GAME_BODY | change).items() if v is not None}
    assert_error(client.put(GAME, json=body, headers=operator), 422, "invalid_input",
                 field)
    assert log_head() == 0


def test_rtp_100_is_a_game(client, operator):
    assert client.put(GAME, json=GAME_BODY | {"rtp": "100"}, headers=operator).json()[
        "rtp"] == "100"


@pytest.mark.parametrize("role", [Role.PLAYER, Role.PROVIDER, Role.FINANCE,
                                  Role.COMPLIANCE])
def test_only_an_operator_manages_games(client, auth, log_head, role):
    caller = auth(role, "someone")
    assert_error(client.put(GAME, json=GAME_BODY, headers=caller), 403, "forbidden")
    assert_error(client.get(GAME, headers=caller), 403, "forbidden")
    assert log_head() == 0


# Responsible-gaming limits.

LIMITS = "/v1/admin/players/p1/limits"


def test_compliance_sets_and_lifts_limits(client, compliance, log_head):
    put = client.put(LIMITS, headers=compliance, json={
        "selfExcludedUntil": "2026-03-01T09:30:00+02:00",
        "dailyLossLimits": {"USDT": "100.5", "BTC": "0.01"}, "reason": "player asked"})
    assert put.status_code == 200, put.text
    assert put.json() == {"playerId": "p1", "selfExcludedUntil": "2026-03-01T07:30:00Z",
                          "dailyLossLimits": {"BTC": "0.01000000", "USDT": "100.500000"}}
    assert int(put.headers["X-Log-Position"]) == log_head()
    head = log_head()
    same = client.put(LIMITS, headers=compliance, json={
        "selfExcludedUntil": "2026-03-01T07:30:00Z",
        "dailyLossLimits": {"BTC": "0.01", "USDT": "100.500000"}, "reason": ""})
    assert same.json() == put.json() and log_head() == head
    lifted = client.put(LIMITS, headers=compliance, json={
        "selfExcludedUntil": None, "dailyLossLimits": {}, "reason": "cooling-off over"})
    assert lifted.json() == {"playerId": "p1", "selfExcludedUntil": None,
                             "dailyLossLimits": {}}


BAD_LIMITS = {
    "a time without offset": ({"selfExcludedUntil": "2026-03-01T09:30:00"},
                              "selfExcludedUntil"),
    "a date only": ({"selfExcludedUntil": "2026-03-01"}, "selfExcludedUntil"),
    "a timestamp number": ({"selfExcludedUntil": 1772000000}, "selfExcludedUntil"),
    "a JSON number limit": ({"dailyLossLimits": {"USDT": 100}}, "dailyLossLimits"),
    "a negative limit": ({"dailyLossLimits": {"USDT": "-1"}}, "dailyLossLimits"),
    "excess precision": ({"dailyLossLimits": {"USDT": "1.0000001"}}, "dailyLossLimits"),
    "an unknown currency": ({"dailyLossLimits": {"DOGE": "1"}}, "DOGE"),
    "no reason for a change": ({"reason": " "}, "reason"),
    "a missing field": ({"dailyLossLimits": None}, "dailyLossLimits"),
}


@pytest.mark.parametrize("change, field", BAD_LIMITS.values(), ids=BAD_LIMITS.keys())
def test_bad_limits_are_422_and_change_nothing(client, compliance, log_head, change,
                                               field):
    body = {"selfExcludedUntil": None, "dailyLossLimits": {"USDT": "10"},
            "reason": "player asked"} | change
    body = {k: v for k, v in body.items() if v is not None or k == "selfExcludedUntil"}
    assert_error(client.put(LIMITS, json=body, headers=compliance), 422, "invalid_input",
                 field)
    assert log_head() == 0


@pytest.mark.parametrize("role", [Role.PLAYER, Role.OPERATOR, Role.FINANCE,
                                  Role.PROVIDER])
def test_only_compliance_sets_limits(client, auth, log_head, role):
    body = {"selfExcludedUntil": None, "dailyLossLimits": {}, "reason": "x"}
    assert_error(client.put(LIMITS, json=body, headers=auth(role, "p1")), 403, "forbidden")
    assert log_head() == 0


# VIP.

def test_a_player_never_seen_is_at_the_bottom_with_no_xp(client, auth):
    read = client.get("/v1/players/newbie/vip", headers=auth(Role.PLAYER, "newbie"))
    assert read.status_code == 200, read.text
    assert read.json() == {"playerId": "newbie", "level": "Wood", "rank": 0, "xp": "0.00",
                           "nextLevel": "Metal", "nextLevelXp": "1000.00"}


def test_settled_bets_earn_xp_in_usd(client, auth, adjust, game, place, settle):
    game()
    adjust(currency="USDT", amount="100")
    adjust(currency="BTC", amount="0.01")
    settle("r-1", (place(stake={"amount": "10.5", "currency": "USDT"})["betId"],
                   "LOSS", "0"))
    settle("r-1", (place(stake={"amount": "0.001", "currency": "BTC"})["betId"],
                   "WIN", "0.002"))
    place()  # open bets earn nothing yet
    vip = client.get("/v1/players/p1/vip", headers=auth(Role.PLAYER, "p1")).json()
    assert (vip["level"], vip["xp"]) == ("Wood", "70.50")  # 10.5 + 0.001 x 60000


def test_an_operator_sets_a_level_and_the_player_sees_it(client, operator, auth,
                                                        log_head):
    put = client.put("/v1/admin/players/p1/vip", headers=operator,
                     json={"level": "Gold", "reason": "high roller"})
    assert put.status_code == 200, put.text
    assert put.json() == {"playerId": "p1", "level": "Gold", "rank": 4, "xp": "0.00",
                          "nextLevel": "Platinum", "nextLevelXp": "500000.00"}
    assert int(put.headers["X-Log-Position"]) == log_head()
    top = client.put("/v1/admin/players/p1/vip", headers=operator,
                     json={"level": "Beast", "reason": "top"}).json()
    assert (top["rank"], top["nextLevel"], top["nextLevelXp"]) == (7, None, None)
    assert client.get("/v1/players/p1/vip", headers=auth(Role.PLAYER, "p1")).json() == top


@pytest.mark.parametrize("body, field", [
    ({"level": "Mythril", "reason": "x"}, "level"),
    ({"level": "gold", "reason": "x"}, "level"),
    ({"level": "Gold", "reason": ""}, "reason"),
    ({"level": "Gold"}, "reason"),
])
def test_a_bad_level_is_422(client, operator, log_head, body, field):
    assert_error(client.put("/v1/admin/players/p1/vip", json=body, headers=operator), 422,
                 "invalid_input", field)
    assert log_head() == 0


@pytest.mark.parametrize("role", [Role.PLAYER, Role.COMPLIANCE, Role.FINANCE])
def test_only_an_operator_sets_a_level(client, auth, log_head, role):
    body = {"level": "Gold", "reason": "x"}
    assert_error(client.put("/v1/admin/players/p1/vip", json=body,
                            headers=auth(role, "p1")), 403, "forbidden")
    assert log_head() == 0


def test_vip_status_is_the_players_own_or_staffs(client, auth):
    assert_error(client.get("/v1/players/p2/vip", headers=auth(Role.PLAYER, "p1")), 403,
                 "forbidden")
    for role in (Role.PROVIDER, Role.REGULATOR):
        assert_error(client.get("/v1/players/p1/vip", headers=auth(role, "p1")), 403,
                     "forbidden")
    for role in (Role.OPERATOR, Role.FINANCE, Role.COMPLIANCE):
        assert client.get("/v1/players/p1/vip", headers=auth(role, "x")).status_code == 200
