"""Rakeback and FX rates over HTTP: buckets, claims, flip verification, the back office.

p1 is a Gold player who lost 1000 USDT on a 99% house game (the worked
example: 0.5 / 1 / 1.5 / 2 USDT) and, where a test asks, 0.1 BTC (instant
0.00005, daily 0.0001). Bets are placed and accrued through the ledger, as
the accrual follower does; the endpoints under test are called over HTTP.
The clock is frozen at Thursday 2026-01-15 12:00 UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from api.http.auth import Role
from domain.rakeback.commands import AccrueRakeback, UnlockRakeback
from tests.e2e.http_helpers import assert_error, at_precision, wallet
from tests.factories import add_game, credit, place_bet, set_vip_level, settle_bet

D = Decimal
BUCKETS = "/v1/players/p1/rakeback"
CLAIM = "/v1/players/p1/rakeback/claim"
FX = "/v1/admin/fx-rates"
USD = "/v1/admin/rakeback/users/p1/claimable-usd"
ROWS = "/v1/admin/rakeback"


def lose(services, stake: str, currency: str = "USDT", player: str = "p1") -> int:
    """A lost bet, accrued; the log position of the accrual."""
    bet_id = place_bet(services, player, stake, currency).result.bet_id
    settle_bet(services, bet_id, "LOSS")
    return services.ledger.execute(AccrueRakeback(bet_id, bet_id)).position or 0


def gold(services, player: str = "p1") -> None:
    credit(services, player, "USDT", "5000")
    credit(services, player, "BTC", "1")
    set_vip_level(services, player, "Gold")


@pytest.fixture
def accrued(services, frozen_clock) -> int:
    """The worked example for p1; the log position of its accrual."""
    add_game(services)
    gold(services)
    position = lose(services, "1000")
    # The followers' own commands (cashback tallies) land now, not mid-test.
    services.projections.catch_up()
    return position


@pytest.fixture
def unlocked(services, accrued) -> None:
    """p1 also lost 0.1 BTC, and both currencies' DAILY bucket is unlocked."""
    lose(services, "0.1", "BTC")
    for currency in ("USDT", "BTC"):
        services.ledger.execute(UnlockRakeback("p1", currency, "DAILY", "2026-01-15"))


def usdt_buckets(client, headers) -> dict:
    [usdt] = [c for c in client.get(BUCKETS, headers=headers).json()["currencies"]
              if c["currency"] == "USDT"]
    return usdt


@pytest.fixture
def p1(auth):
    return auth(Role.PLAYER, "p1")


# GET /v1/players/{id}/rakeback

def test_a_player_reads_their_buckets_as_strings_with_the_next_open_times(
        client, accrued, p1):
    read = client.get(BUCKETS, headers=p1)

    assert read.status_code == 200, read.text
    body = read.json()
    [usdt] = body["currencies"]
    assert len(usdt.pop("serverSeedHash")) == 64
    assert usdt == {"currency": "USDT", "instantClaimable": "0.500000",
                    "dailyAccumulated": "1.000000", "dailyClaimable": "0.000000",
                    "weeklyAccumulated": "1.500000", "weeklyClaimable": "0.000000",
                    "monthlyAccumulated": "2.000000", "monthlyClaimable": "0.000000",
                    "nextNonce": 0}
    assert body["nextOpenAt"] == {
        "INSTANT": "2026-01-15T12:00:00Z", "DAILY": "2026-01-16T00:00:00Z",
        "WEEKLY": "2026-01-19T00:00:00Z", "MONTHLY": "2026-02-01T00:00:00Z"}


@pytest.mark.parametrize("now, daily, weekly, monthly", [
    (datetime(2026, 1, 31, 23, 59, tzinfo=timezone.utc),
     "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z", "2026-02-01T00:00:00Z"),
    (datetime(2026, 2, 2, tzinfo=timezone.utc),  # Monday midnight: the next ones
     "2026-02-03T00:00:00Z", "2026-02-09T00:00:00Z", "2026-03-01T00:00:00Z"),
    (datetime(2026, 12, 31, 12, tzinfo=timezone.utc),
     "2027-01-01T00:00:00Z", "2027-01-04T00:00:00Z", "2027-01-01T00:00:00Z"),
])
def test_buckets_open_at_midnight_on_monday_and_on_the_first(client, frozen_clock, p1,
                                                             now, daily, weekly, monthly):
    frozen_clock.freeze(now)

    body = client.get(BUCKETS, headers=p1).json()

    assert body == {"playerId": "p1", "currencies": [], "nextOpenAt": {
        "INSTANT": now.isoformat().replace("+00:00", "Z"), "DAILY": daily,
        "WEEKLY": weekly, "MONTHLY": monthly}}


@pytest.mark.parametrize("role, subject, status", [
    (Role.PLAYER, "p1", 200), (Role.PLAYER, "p2", 403), (Role.OPERATOR, "ops", 200),
    (Role.FINANCE, "fin", 200), (Role.COMPLIANCE, "comp", 200),
    (Role.REGULATOR, "reg", 403), (Role.PROVIDER, "acme", 403)])
def test_who_may_read_a_players_rakeback(client, auth, accrued, role, subject, status):
    assert client.get(BUCKETS, headers=auth(role, subject)).status_code == status
    assert client.get(BUCKETS).status_code == 401


# POST /v1/players/{id}/rakeback/claim

def test_an_instant_claim_ignores_double_and_credits_the_wallet(client, accrued, p1):
    body = {"requestId": "claim-1", "type": "INSTANT", "double": True}

    claimed = client.post(CLAIM, json=body, headers=p1)

    assert claimed.status_code == 200, claimed.text
    position = claimed.json()["position"]
    assert claimed.json() == {"playerId": "p1", "type": "INSTANT", "doubled": False,
                              "claims": [{"currency": "USDT", "amount": "0.500000",
                                          "payout": "0.500000", "flip": None}],
                              "position": position}
    assert claimed.headers["X-Log-Position"] == str(position)
    assert wallet(client, p1, at=position)["available"] == D("4000.5")
    again = client.post(CLAIM, json=body, headers=p1)
    assert (again.status_code, again.json()) == (200, claimed.json())
    assert_error(client.post(CLAIM, json=body | {"type": "DAILY"}, headers=p1), 409,
                 "conflict", "claim-1")


def test_an_empty_bucket_is_a_409(client, accrued, p1, log_head):
    head = log_head()

    response = client.post(CLAIM, json={"requestId": "c", "type": "DAILY"}, headers=p1)

    assert_error(response, 409, "conflict", "nothing to claim", "DAILY")
    assert log_head() == head


@pytest.mark.parametrize("body, mentions", [
    ({"requestId": "c", "type": "BOGUS"}, "type"),
    ({"requestId": "c", "type": "instant"}, "type"),
    ({"requestId": "c"}, "type"),
    ({"type": "INSTANT"}, "requestId"),
    ({"requestId": "c", "type": "DAILY", "double": "yes"}, "double"),
    ({"requestId": "c", "type": "DAILY", "clientSeed": ""}, "clientSeed"),
    ({"requestId": "c", "type": "DAILY", "amount": "1"}, "amount"),
])
def test_a_bad_claim_is_a_422_and_pays_nothing(client, accrued, p1, log_head, body,
                                               mentions):
    head = log_head()

    assert_error(client.post(CLAIM, json=body, headers=p1), 422, "invalid_input",
                 mentions)
    assert log_head() == head


@pytest.mark.parametrize("role, subject", [
    (Role.PLAYER, "p2"), (Role.OPERATOR, "ops"), (Role.FINANCE, "fin")])
def test_only_the_player_claims_their_rakeback(client, auth, accrued, role, subject):
    body = {"requestId": "c", "type": "INSTANT"}

    assert_error(client.post(CLAIM, json=body, headers=auth(role, subject)), 403,
                 "forbidden")
    assert client.post(CLAIM, json=body).status_code == 401


# GET /v1/rakeback/flips/{flipId}/verify

def test_a_doubled_claim_is_verified_from_its_recorded_seeds(client, unlocked, p1):
    committed = usdt_buckets(client, p1)["serverSeedHash"]

    claimed = client.post(CLAIM, json={"requestId": "double-1", "type": "DAILY",
                                       "double": True}, headers=p1).json()
    [usdt] = [c for c in claimed["claims"] if c["currency"] == "USDT"]
    verified = client.get(f"/v1/rakeback/flips/{usdt['flip']['flipId']}/verify",
                          headers=p1)

    flip = usdt["flip"]
    assert claimed["doubled"] and flip["flipId"] == "p1:USDT:0"
    assert (flip["clientSeed"], flip["serverSeedHash"]) == ("double-1", committed)
    assert usdt["payout"] == ("2.000000" if flip["won"] else "0.000000")
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["recorded"] == flip
    assert (body["honest"], body["matchesRecord"], body["committedSeedHash"]) == (
        True, True, committed)
    assert (body["recomputedDigest"], body["recomputedWon"]) == (flip["digest"],
                                                                 flip["won"])
    assert (body["bucket"], body["requestId"], body["amount"], body["payout"]) == (
        "DAILY", "double-1", "1.000000", usdt["payout"])
    after = usdt_buckets(client, p1)
    assert after["nextNonce"] == 1 and after["serverSeedHash"] != committed


@pytest.mark.parametrize("role, subject, status", [
    (Role.PLAYER, "p1", 200), (Role.PLAYER, "p2", 403), (Role.OPERATOR, "ops", 200),
    (Role.COMPLIANCE, "comp", 200), (Role.REGULATOR, "reg", 200),
    (Role.FINANCE, "fin", 403), (Role.PROVIDER, "acme", 403)])
def test_who_may_verify_a_flip(client, auth, unlocked, p1, role, subject, status):
    client.post(CLAIM, json={"requestId": "d", "type": "DAILY", "double": True},
                headers=p1)

    response = client.get("/v1/rakeback/flips/p1:USDT:0/verify",
                          headers=auth(role, subject))

    assert response.status_code == status, response.text


@pytest.mark.parametrize("flip_id, status", [
    ("p1:USDT:1", 404), ("p1:ETH:0", 404), ("p1:USDT:x", 422), ("nonsense", 422)])
def test_an_unknown_or_malformed_flip_id(client, auth, unlocked, p1, flip_id, status):
    client.post(CLAIM, json={"requestId": "d", "type": "DAILY", "double": True},
                headers=p1)

    response = client.get(f"/v1/rakeback/flips/{flip_id}/verify",
                          headers=auth(Role.REGULATOR, "reg"))

    assert response.status_code == status, response.text


# PUT and GET /v1/admin/fx-rates

def test_finance_sets_fx_rates_and_the_back_office_reads_them(client, finance, operator,
                                                              frozen_clock, log_head):
    put = client.put(FX, json={"rates": {"BTC": "65000.00", "USDT": "0.9990"}},
                     headers=finance)

    assert put.status_code == 200, put.text
    body = put.json()
    assert (body["rates"]["BTC"], body["rates"]["USDT"], body["rates"]["ETH"]) == (
        "65000.00", "0.9990", "3000")
    assert (body["setAt"], body["setBy"]) == ("2026-01-15T12:00:00Z", "fin-alice")
    assert body["position"] == log_head() == int(put.headers["X-Log-Position"])
    read = client.get(FX, headers=operator)
    assert read.status_code == 200 and read.json() == body | {"position": None}
    head = log_head()
    again = client.put(FX, json={"rates": {"BTC": "65000.00"}}, headers=finance)
    assert again.json()["rates"] == body["rates"] and log_head() == head


def test_rates_never_set_are_the_configured_ones(client, finance):
    body = client.get(FX, headers=finance).json()

    assert (body["rates"]["BTC"], body["setAt"], body["setBy"]) == ("60000", None, None)


@pytest.mark.parametrize("rates, mentions", [
    ({"BTC": 65000}, "rates.BTC"), ({"BTC": "abc"}, "rates.BTC"),
    ({"DOGE": "1"}, "DOGE"), ({"BTC": "-1"}, "positive"), ({"BTC": "0"}, "positive"),
    ({"BTC": "NaN"}, "rates.BTC"), ({}, "rates")])
def test_a_bad_rate_is_a_422_and_changes_nothing(client, finance, log_head, rates,
                                                 mentions):
    head = log_head()

    assert_error(client.put(FX, json={"rates": rates}, headers=finance), 422,
                 "invalid_input", mentions)
    assert log_head() == head


@pytest.mark.parametrize("method, role, status", [
    ("put", Role.OPERATOR, 403), ("put", Role.PLAYER, 403), ("get", Role.FINANCE, 200),
    ("get", Role.OPERATOR, 200), ("get", Role.PLAYER, 403), ("get", Role.COMPLIANCE, 403)])
def test_who_may_set_and_read_fx_rates(client, auth, method, role, status):
    kwargs = {"json": {"rates": {"BTC": "1"}}} if method == "put" else {}

    response = getattr(client, method)(FX, headers=auth(role, "someone"), **kwargs)

    assert response.status_code == status, response.text


# GET /v1/admin/rakeback/users/{id}/claimable-usd

def test_an_operator_reads_a_players_claimable_total_in_usd(client, operator, finance,
                                                            unlocked):
    client.put(FX, json={"rates": {"BTC": "60000.00", "USDT": "0.9990"}}, headers=finance)

    read = client.get(USD, headers=operator)

    assert read.status_code == 200, read.text
    assert read.json() == {
        "playerId": "p1", "totalUsd": "10.50", "unpriced": [],
        "ratesSetAt": "2026-01-15T12:00:00Z", "breakdown": [
            {"currency": "BTC", "bucket": "INSTANT", "amount": "0.00005000",
             "rate": "60000.00", "usd": "3.00"},
            {"currency": "BTC", "bucket": "DAILY", "amount": "0.00010000",
             "rate": "60000.00", "usd": "6.00"},
            {"currency": "USDT", "bucket": "INSTANT", "amount": "0.500000",
             "rate": "0.9990", "usd": "0.50"},
            {"currency": "USDT", "bucket": "DAILY", "amount": "1.000000",
             "rate": "0.9990", "usd": "1.00"}]}


def test_a_player_with_nothing_claimable_is_zero_usd(client, operator):
    body = client.get("/v1/admin/rakeback/users/nobody/claimable-usd",
                      headers=operator).json()

    assert (body["totalUsd"], body["breakdown"], body["ratesSetAt"]) == ("0.00", [], None)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PLAYER, Role.COMPLIANCE])
def test_only_operators_read_claimable_usd(client, auth, role):
    assert client.get(USD, headers=auth(role, "p1")).status_code == 403


# GET /v1/admin/rakeback

def test_an_operator_pages_the_rakeback_rows(client, services, operator, accrued):
    gold(services, "p2")
    last = lose(services, "0.1", "BTC", player="p2")
    fresh = {"X-Min-Position": str(last)}

    first = client.get(ROWS, params={"limit": 1}, headers=operator | fresh)
    second = client.get(ROWS, params={"limit": 1, "cursor": first.json()["nextCursor"]},
                        headers=operator | fresh)
    p2 = client.get(ROWS, params={"playerId": "p2"}, headers=operator | fresh)
    usdt = client.get(ROWS, params={"currency": "USDT"}, headers=operator | fresh)

    assert first.status_code == 200, first.text
    [row] = first.json()["rows"]
    assert row | {"position": 0} == {
        "playerId": "p1", "currency": "USDT", "instantClaimable": "0.500000",
        "dailyAccumulated": "1.000000", "dailyClaimable": "0.000000",
        "weeklyAccumulated": "1.500000", "weeklyClaimable": "0.000000",
        "monthlyAccumulated": "2.000000", "monthlyClaimable": "0.000000", "position": 0}
    [other] = second.json()["rows"]
    at_precision(other, 8, "instantClaimable", "monthlyAccumulated")
    assert (other["playerId"], other["currency"]) == ("p2", "BTC")
    assert [(r["playerId"], r["currency"]) for r in p2.json()["rows"]] == [("p2", "BTC")]
    assert [r["playerId"] for r in usdt.json()["rows"]] == ["p1"]
    assert p2.json()["nextCursor"] is None


@pytest.mark.parametrize("params, status", [
    ({"cursor": "abc"}, 422), ({"limit": 0}, 422), ({"limit": 501}, 422)])
def test_bad_paging_is_a_422(client, operator, params, status):
    assert client.get(ROWS, params=params, headers=operator).status_code == status


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PLAYER, Role.REGULATOR])
def test_only_operators_list_rakeback_rows(client, auth, role):
    assert client.get(ROWS, headers=auth(role, "p1")).status_code == 403
