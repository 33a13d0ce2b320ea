"""Hostile input on the money routes: a clear 4xx, and nothing written to the log.

One NUL in a requestId used to reach the log and stop every PostgreSQL view;
amounts such as "1E2" were read as 100. Every case here must be refused before
anything is decided, so the log's head does not move.
"""

from __future__ import annotations

import json

import jwt
import pytest

from api.http.auth import Role
from tests.e2e.conftest import PROVIDER_SECRETS, sign
from tests.e2e.http_helpers import assert_error, bet_body

ADJUST = "/v1/admin/adjustments"
PLACE = "/v1/bets/place"


@pytest.fixture
def funded(adjust, game):
    game()
    adjust(playerId="p1", currency="USDT", amount="100")


def post_raw(client, path, raw: bytes, headers, content_type="application/json"):
    return client.post(path, content=raw, headers=headers | {"Content-Type": content_type})


def adjustment(**fields) -> dict:
    return {"requestId": "hostile-1", "playerId": "p1", "currency": "USDT",
            "amount": "5", "balance": "cash", "reason": "goodwill"} | fields


CONTROL = ["\u0000", "\u001f", "\u007f", "\u0085", "\u2028", "\u202e", "\ud800"]


@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
@pytest.mark.parametrize("field", ["requestId", "playerId", "reason", "currency"])
def test_control_characters_in_any_field_are_a_422_and_change_nothing(
        client, finance, funded, log_head, field, char):
    head = log_head()
    body = adjustment(**{field: f"x{char}y"})
    refused = post_raw(client, ADJUST, json.dumps(body).encode(), finance)
    assert_error(refused, 422, "invalid_input", field)
    assert log_head() == head


def test_a_nul_in_a_providers_round_id_is_refused_before_the_bet(
        client, funded, signed, log_head):
    head = log_head()
    refused = signed(PLACE, bet_body(roundId="r-\u0000"))
    assert_error(refused, 422, "invalid_input", "roundId")
    assert log_head() == head


def test_a_nul_in_a_path_id_is_a_422(client, finance):
    refused = client.get("/v1/players/p%001/balances", headers=finance)
    assert_error(refused, 422, "invalid_input", "player_id")


@pytest.mark.parametrize("request_id", ["   ", " r-1", "r 1", "r/1", "-r", "x" * 129, ""])
def test_request_ids_follow_the_documented_pattern(client, finance, log_head, request_id):
    head = log_head()
    assert_error(client.post(ADJUST, json=adjustment(requestId=request_id), headers=finance),
                 422, "invalid_input", "requestId")
    assert log_head() == head


AMOUNTS = ["+5", ".5", "5.", "00010", "1E2", "1e-7", "-0", "0x10", " 1", "1_000",
           "9" * 10_000, "NaN", "Infinity", "\u0661", 5, 5.0, None]


@pytest.mark.parametrize("amount", AMOUNTS, ids=[repr(a)[:12] for a in AMOUNTS])
def test_an_amount_has_one_syntax_on_adjustments(client, finance, funded, log_head, amount):
    head = log_head()
    assert_error(client.post(ADJUST, json=adjustment(amount=amount), headers=finance),
                 422, "invalid_input", "amount")
    assert log_head() == head


@pytest.mark.parametrize("amount", AMOUNTS[:13], ids=[repr(a)[:12] for a in AMOUNTS[:13]])
def test_an_amount_has_one_syntax_on_bets(client, funded, signed, log_head, amount):
    """A provider's unreadable stake is its own answer: REJECTED, INVALID_AMOUNT."""
    head = log_head()
    answer = signed(PLACE, bet_body(stake={"amount": amount, "currency": "USDT"}))
    if answer.status_code == 422:  # longer than any amount: refused by the schema
        assert_error(answer, 422, "invalid_input", "stake.amount")
    else:
        assert answer.json()["reason"] == "INVALID_AMOUNT", answer.text
    assert log_head() == head


def test_duplicate_keys_are_refused_even_in_a_signed_body(client, auth, funded, log_head):
    head = log_head()
    raw = (b'{"requestId":"bet-1","playerId":"p1","gameId":"slot-99","roundId":"r-1",'
           b'"stake":{"amount":"1.00","currency":"USDT","amount":"90.00"}}')
    headers = auth(Role.PROVIDER, "acme") | {
        "X-Casino-Signature": sign(PROVIDER_SECRETS["acme"], raw)}
    assert_error(post_raw(client, PLACE, raw, headers), 422, "invalid_input",
                 "'amount' appears twice")
    assert log_head() == head


def nested(depth: int) -> list:
    value: list = ["x"]
    for _ in range(depth):
        value = [value]
    return value


BODIES = {
    "duplicate key": b'{"requestId":"a","requestId":"b"}',
    "byte-order mark": b"\xef\xbb\xbf" + json.dumps(adjustment()).encode(),
    "UTF-16": json.dumps(adjustment()).encode("utf-16"),
    "invalid UTF-8": b'{"requestId":"\xff\xfe"}',
    "NaN literal": b'{"amount": NaN}',
    "deep nesting": b"[" * 5000 + b"]" * 5000,
    "nested past the limit": json.dumps({"reason": nested(40)}).encode(),
    "not JSON": b"requestId=r-1",
    "truncated": b'{"requestId": "r-1"',
}


@pytest.mark.parametrize("raw", BODIES.values(), ids=BODIES.keys())
def test_a_body_that_is_not_strict_json_is_a_422(client, finance, log_head, raw):
    head = log_head()
    refused = post_raw(client, ADJUST, raw, finance)
    assert_error(refused, 422, "invalid_input")
    assert refused.json()["error"]["message"].startswith(("body", "reason[0]"))
    assert log_head() == head


@pytest.mark.parametrize("raw", [*BODIES.values(), b'"currency"', b"[]", b"7"],
                         ids=[*BODIES.keys(), "a string", "an array", "a number"])
def test_a_bad_body_is_a_422_where_every_field_has_a_default(client, finance, log_head, raw):
    """A reconciliation's body may be `{}`; that does not make any body `{}`."""
    head = log_head()
    refused = post_raw(client, "/v1/admin/reconciliation", raw, finance)
    assert_error(refused, 422, "invalid_input")
    assert log_head() == head


def test_a_bad_body_meets_the_role_check_first(client, auth):
    raw = BODIES["duplicate key"]
    assert post_raw(client, ADJUST, raw, {}).status_code == 401
    assert post_raw(client, ADJUST, raw, auth(Role.PLAYER, "p1")).status_code == 403


def test_a_wrong_content_type_is_a_415(client, finance, log_head):
    head = log_head()
    refused = post_raw(client, ADJUST, json.dumps(adjustment()).encode(), finance,
                       content_type="text/plain")
    assert_error(refused, 415, "unsupported_media_type", "application/json")
    assert log_head() == head


def test_a_body_over_the_configured_limit_is_a_413(client, finance, log_head):
    head = log_head()
    raw = json.dumps(adjustment(reason="x" * (10 * 1024 * 1024))).encode()
    assert_error(post_raw(client, ADJUST, raw, finance), 413, "body_too_large")
    assert log_head() == head


@pytest.mark.parametrize("until", [0, 1700000000, "0", "1700000000", "2026-01-01",
                                   "2026-01-01T00:00:00"])
def test_numbers_and_naive_times_are_not_dates(client, auth, log_head, until):
    head = log_head()
    refused = client.post("/v1/admin/audit/replay", json={"requestId": "rp-1", "until": until},
                          headers=auth(Role.COMPLIANCE, "comp-carol"))
    assert_error(refused, 422, "invalid_input", "until")
    assert log_head() == head


def test_a_number_in_a_time_query_is_a_422(client, auth):
    refused = client.get("/v1/audit/events", params={"from": "0"},
                         headers=auth(Role.REGULATOR, "reg-rita"))
    assert_error(refused, 422, "invalid_input", "from")


@pytest.mark.parametrize("subject", ["", " ", "p\u00001", "a" * 129])
def test_a_token_whose_subject_is_not_an_id_is_refused(client, services, subject):
    token = jwt.encode({"sub": subject, "role": "player", "exp": 4_000_000_000},
                       services.settings.signing_key(), algorithm="HS256")
    read = client.get("/v1/players/p1/balances", headers={"Authorization": f"Bearer {token}"})
    assert_error(read, 401, "unauthorized", "subject")


def test_request_ids_are_scoped_to_the_staff_member(client, auth, funded, log_head):
    """Two finance users may pick the same requestId; neither blocks nor sees the other."""
    body = adjustment(requestId="shared-1", amount="1")
    first = client.post(ADJUST, json=body, headers=auth(Role.FINANCE, "fin-alice"))
    second = client.post(ADJUST, json=body | {"amount": "2"},
                         headers=auth(Role.FINANCE, "fin-bob"))
    assert (first.status_code, second.status_code) == (200, 200), second.text
    assert first.json()["position"] != second.json()["position"]
    again = client.post(ADJUST, json=body | {"amount": "3"},
                        headers=auth(Role.FINANCE, "fin-alice"))
    assert_error(again, 409, "conflict", "requestId")


def test_a_min_position_past_the_head_is_a_422_at_once(client, finance, log_head):
    """No acknowledged write is past the head, so waiting for one cannot help."""
    past = {"X-Min-Position": str(log_head() + 1000)}
    assert_error(client.get("/v1/players/p1/balances", headers=finance | past), 422,
                 "invalid_input", "X-Min-Position")
    negative = {"X-Min-Position": "-1"}
    assert client.get("/v1/players/p1/balances", headers=finance | negative).status_code == 422


@pytest.mark.parametrize("method", ["OPTIONS", "PATCH", "DELETE"])
def test_a_405_names_every_method_of_the_path(client, finance, method):
    """Each path's methods are routes of an included router, which FastAPI keeps
    out of the app's own route list; Starlette alone names the first route's."""
    for path, allowed in (("/v1/admin/fx-rates", "GET, PUT"),
                          ("/v1/admin/reconciliation", "GET, POST")):
        refused = client.request(method, path, headers=finance)
        assert_error(refused, 405, "method_not_allowed")
        assert refused.headers["Allow"] == allowed
