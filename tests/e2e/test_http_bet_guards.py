"""What the seamless wallet refuses: rejected bets, malformed bodies, bad signatures, roles.

A refusal changes nothing: the log's head and the wallet stay as they were.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from api.http.auth import Role
from tests.e2e.conftest import PROVIDER_SECRETS, UNSIGNED, sign
from tests.e2e.http_helpers import assert_error, bet_body, wallet

PLACE = "/v1/bets/place"


@pytest.fixture
def funded(client, compliance, adjust, game) -> None:
    """p1 holds 100 USDT, has a daily loss limit of 50 USDT; slot-99 exists."""
    game()
    adjust(playerId="p1", currency="USDT", amount="100")
    limits = {"selfExcludedUntil": None, "dailyLossLimits": {"USDT": "50"},
              "reason": "player asked"}
    put = client.put("/v1/admin/players/p1/limits", json=limits, headers=compliance)
    assert put.status_code == 200, put.text


@pytest.fixture
def compliance(auth):
    return auth(Role.COMPLIANCE, "comp-carol")


def exclude(client, compliance, until: str | None) -> None:
    limits = {"selfExcludedUntil": until, "dailyLossLimits": {"USDT": "50"},
              "reason": "cooling off"}
    put = client.put("/v1/admin/players/p1/limits", json=limits, headers=compliance)
    assert put.status_code == 200, put.text


def stake(amount: object, currency: str = "USDT") -> dict:
    return {"stake": {"amount": amount, "currency": currency}}


REJECTIONS = {
    "unknown game": ({"gameId": "no-such-game"}, "UNKNOWN_GAME"),
    "unknown currency": (stake("10", "DOGE"), "UNKNOWN_CURRENCY"),
    "the reporting currency": (stake("10", "USD"), "UNKNOWN_CURRENCY"),
    "zero": (stake("0"), "INVALID_AMOUNT"),
    "negative": (stake("-10"), "INVALID_AMOUNT"),
    "excess precision": (stake("10.0000001"), "INVALID_AMOUNT"),
    "not a number": (stake("ten"), "INVALID_AMOUNT"),
    "NaN": (stake("NaN"), "INVALID_AMOUNT"),
    "Infinity": (stake("Infinity"), "INVALID_AMOUNT"),
    "too large": (stake("1e999"), "INVALID_AMOUNT"),
    "padded": (stake(" 10"), "INVALID_AMOUNT"),
    "over the maximum stake": (stake("1000.000001"), "MAX_STAKE"),
    "over the daily loss limit": (stake("50.000001"), "DAILY_LOSS_LIMIT"),
    "more than the wallet holds": (stake("100.000001", "USDT") | {"playerId": "p2"},
                                   "INSUFFICIENT_FUNDS"),
    "no wallet in that currency": (stake("0.1", "BTC"), "INSUFFICIENT_FUNDS"),
}


@pytest.mark.parametrize("change, reason", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_a_rejected_bet_names_its_reason_and_changes_nothing(
        client, operator, funded, adjust, signed, log_head, change, reason):
    adjust(playerId="p2", currency="USDT", amount="100")
    head = log_head()
    before = wallet(client, operator, change.get("playerId", "p1"), at=head)
    rejected = signed(PLACE, bet_body(**change))
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["status"] == "REJECTED" and body["reason"] == reason, body
    assert set(body) == {"status", "reason", "message"} and body["message"]
    assert "X-Log-Position" not in rejected.headers
    assert log_head() == head
    assert wallet(client, operator, change.get("playerId", "p1")) == before


def test_the_daily_loss_limit_counts_open_bets_and_todays_losses(client, funded, place,
                                                                settle, frozen_clock):
    first = place(stake={"amount": "30", "currency": "USDT"})
    assert place(stake={"amount": "20.000001", "currency": "USDT"})["reason"] == (
        "DAILY_LOSS_LIMIT")
    settle("r-1", (first["betId"], "LOSS", "0"))
    assert place(stake={"amount": "20.000001", "currency": "USDT"})["reason"] == (
        "DAILY_LOSS_LIMIT")
    assert place(stake={"amount": "20", "currency": "USDT"})["status"] == "ACCEPTED"


def test_a_self_excluded_player_is_rejected_until_the_exclusion_ends(
        client, compliance, funded, place, frozen_clock):
    exclude(client, compliance, "2026-01-16T12:00:00+01:00")  # 11:00 UTC tomorrow
    assert place(requestId="b-1")["reason"] == "SELF_EXCLUDED"
    frozen_clock.advance(timedelta(hours=23))
    assert place(requestId="b-1")["status"] == "ACCEPTED"  # the id was not used up


MALFORMED = {
    "amount as a JSON number": (stake(10), "stake.amount"),
    "currency as a JSON number": (stake("10", 7), "stake.currency"),
    "no stake": ({"stake": None}, "stake"),
    "an unknown field": ({"wallet": "cash"}, "wallet"),
    "an empty requestId": ({"requestId": ""}, "requestId"),
    "a playerId that is a number": ({"playerId": 1}, "playerId"),
}


@pytest.mark.parametrize("change, field", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_bet_is_422_not_rejected(funded, signed, log_head, change, field):
    head = log_head()
    body = {k: v for k, v in bet_body(**change).items() if v is not None}
    assert_error(signed(PLACE, body), 422, "invalid_input", field)
    assert log_head() == head


# Signatures.

SIGNATURES = {
    "missing": (UNSIGNED, "required"),
    "bare hex": (lambda raw: sign(PROVIDER_SECRETS["acme"], raw).removeprefix("sha256="),
                 "sha256="),
    "another algorithm": (lambda raw: "sha1=" + "0" * 40, "sha256="),
    "not hex": (lambda raw: "sha256=" + "z" * 64, "sha256="),
    "truncated": (lambda raw: sign(PROVIDER_SECRETS["acme"], raw)[:-2], "sha256="),
    "wrong secret": (lambda raw: sign("not-the-secret-of-acme", raw), "match"),
    "another provider's secret": (lambda raw: sign(PROVIDER_SECRETS["globex"], raw),
                                  "match"),
    "another body": (lambda raw: sign(PROVIDER_SECRETS["acme"], raw + b" "), "match"),
}


@pytest.mark.parametrize("signature, mention", SIGNATURES.values(), ids=SIGNATURES.keys())
@pytest.mark.parametrize("path", [PLACE, "/v1/rounds/settle",
                                  "/v1/bets/{bet}/refund", "/v1/bets/{bet}/rollback"])
def test_a_missing_or_bad_signature_is_401_and_changes_nothing(
        client, operator, funded, place, signed, log_head, path, signature, mention):
    bet = place()["betId"]
    body = bet_body(requestId="next") if path == PLACE else {
        "requestId": "next", "roundId": "r-1",
        "bets": [{"betId": bet, "outcome": "LOSS", "payout": "0"}]}
    if "{bet}" in path:
        body = {"requestId": "next"}
    raw = json.dumps(body).encode()
    value = signature if signature is UNSIGNED else signature(raw)
    head = log_head()
    before = wallet(client, operator, at=head)
    refused = signed(path.format(bet=bet), body, signature=value)
    assert_error(refused, 401, "unauthorized", mention)
    assert log_head() == head
    assert wallet(client, operator) == before


def test_a_provider_without_a_configured_secret_is_401(funded, signed, log_head):
    head = log_head()
    refused = signed(PLACE, bet_body(), provider="initech", secret="x" * 16)
    assert_error(refused, 401, "unauthorized", "initech")
    assert log_head() == head


def test_the_signature_covers_the_exact_bytes_sent(client, auth, funded, log_head):
    raw = b'{"requestId": "b-1", "playerId": "p1", "gameId": "slot-99", ' \
          b'"roundId": "r-1", "stake": {"amount": "10", "currency": "USDT"}}'
    headers = auth(Role.PROVIDER, "acme") | {"Content-Type": "application/json"}
    compact = raw.replace(b": ", b":").replace(b", ", b",")
    assert_error(client.post(PLACE, content=compact, headers=headers | {
        "X-Casino-Signature": sign(PROVIDER_SECRETS["acme"], raw)}), 401, "unauthorized")
    placed = client.post(PLACE, content=raw, headers=headers | {
        "X-Casino-Signature": sign(PROVIDER_SECRETS["acme"], raw).upper()
        .replace("SHA256=", "sha256=")})
    assert placed.status_code == 200 and placed.json()["status"] == "ACCEPTED"


@pytest.mark.parametrize("role", [Role.PLAYER, Role.OPERATOR, Role.FINANCE,
                                  Role.COMPLIANCE, Role.REGULATOR])
def test_only_a_provider_may_call_the_wallet(funded, signed, log_head, role):
    head = log_head()
    # Signed with a configured secret: the role alone is what is refused.
    refused = signed(PLACE, bet_body(), provider="acme", role=role)
    assert_error(refused, 403, "forbidden")
    assert log_head() == head


def test_without_a_token_the_wallet_is_401(client, funded, log_head):
    head = log_head()
    refused = client.post(PLACE, json=bet_body())
    assert_error(refused, 401, "unauthorized")
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert log_head() == head


def test_openapi_documents_both_answers_of_a_placement(client):
    spec = client.get("/openapi.json").json()
    answer = spec["paths"][PLACE]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in answer["anyOf"]} == {
        "BetAccepted", "BetRejectedPublic"}
    reasons = spec["components"]["schemas"]["BetRejectedPublic"]["properties"]["reason"]
    assert set(reasons["enum"]) == {"UNKNOWN_GAME", "UNKNOWN_CURRENCY", "INVALID_AMOUNT",
                                    "MAX_STAKE", "SELF_EXCLUDED", "DAILY_LOSS_LIMIT",
                                    "INSUFFICIENT_FUNDS", "RG_BLOCKED", "KYC_LIMIT",
                                    "PROFILE_LIMIT", "COUNTRY_BLOCKED"}
    for path in ("/v1/rounds/settle", "/v1/bets/{bet_id}/refund",
                 "/v1/bets/{bet_id}/rollback", "/v1/admin/games/{game_id}",
                 "/v1/admin/players/{player_id}/limits", "/v1/admin/players/{player_id}/vip",
                 "/v1/players/{player_id}/vip", "/v1/players/{player_id}/bets",
                 "/v1/admin/reports/pnl"):
        assert path in spec["paths"], path
