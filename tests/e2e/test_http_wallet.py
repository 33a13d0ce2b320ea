"""The wallet over HTTP: adjustments, balances and the ledger statement, on both backends.

Every test goes through the real app (TestClient, lifespan running the
projection thread) onto a real SQLite file or PostgreSQL schema.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

import jwt
import pytest

from api.http.auth import Role, TokenIssuer

ADJUSTMENTS = "/v1/admin/adjustments"
PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
POCKET_FIELDS = ("cash", "bonus", "locked", "bonusLocked", "available")
DROP = object()
PRECISION = {"BTC": 8, "ETH": 18, "USDT": 6}


def assert_amounts(balance: dict, **expected: str) -> None:
    """Every pocket is a plain decimal string at the currency's full precision
    (BTC "1.50000000"); the named ones equal `expected`, the others zero."""
    places = PRECISION[balance["currency"]]
    for pocket in POCKET_FIELDS:
        value = balance[pocket]
        assert isinstance(value, str) and PLAIN_DECIMAL.fullmatch(value), (pocket, value)
        assert len(value.partition(".")[2]) == places, (pocket, value)
        assert Decimal(value) == Decimal(expected.get(pocket, "0")), (pocket, value)


def read_balances(client, headers, player="p1", at=None):
    extra = {"X-Min-Position": str(at)} if at else {}
    return client.get(f"/v1/players/{player}/balances", headers={**headers, **extra})


def btc_of(response) -> dict:
    assert response.status_code == 200, response.text
    return {b["currency"]: b for b in response.json()["balances"]}["BTC"]


def assert_error(response, status: int, code: str, *mentions: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    for word in mentions:
        assert word in error["message"], (word, error["message"])


# Adjustments and read-your-writes.

def test_finance_credits_then_debits_cash_with_amounts_as_strings(adjust):
    credited = adjust(amount="1.5", requestId="credit-1")
    body = credited.json()
    assert body["requestId"] == "credit-1"
    assert body["position"] == int(credited.headers["X-Log-Position"]) > 0
    assert body["balance"]["playerId"] == "p1" and body["balance"]["currency"] == "BTC"
    assert_amounts(body["balance"], cash="1.5", available="1.5")

    debited = adjust(amount="-0.25").json()
    assert_amounts(debited["balance"], cash="1.25", available="1.25")
    assert debited["position"] > body["position"]


def test_bonus_is_credited_and_debited_apart_from_cash(adjust):
    adjust(currency="USDT", amount="10", balance="cash")
    adjust(currency="USDT", amount="3.5", balance="bonus")
    after = adjust(currency="USDT", amount="-1.25", balance="bonus").json()
    assert_amounts(after["balance"], cash="10", available="10", bonus="2.25")


def test_tiny_and_emptied_balances_stay_plain_decimal_strings(client, adjust, operator):
    satoshi = adjust(amount="0.00000001").json()
    assert_amounts(satoshi["balance"], cash="0.00000001", available="0.00000001")
    emptied = adjust(amount="-0.00000001").json()
    assert_amounts(emptied["balance"])
    assert_amounts(btc_of(read_balances(client, operator, at=emptied["position"])))


def test_player_reads_their_own_credit_at_once_with_min_position(client, adjust, auth):
    player = auth(Role.PLAYER, "p1")
    for credits in range(1, 6):
        position = adjust(amount="1").json()["position"]
        read = read_balances(client, player, at=position)
        assert_amounts(btc_of(read), cash=str(credits), available=str(credits))
        assert read.headers["X-View-Lag"] == "0"
        assert int(read.headers["X-View-Position"]) == position
        assert int(read.headers["X-Log-Head"]) == position
        [newest] = client.get("/v1/players/p1/ledger", params={"limit": 1}, headers={
            **player, "X-Min-Position": str(position)}).json()["entries"]
        assert newest["requestId"] == f"adj-{credits}" and newest["position"] <= position


def test_a_position_never_written_is_refused_at_once(client, services, adjust, operator):
    """Past the head no write is acknowledged, so there is nothing to wait for:
    a 422 at once (the bounded wait and its 503 are for views that lag)."""
    position = adjust().json()["position"]
    started = time.monotonic()
    read = read_balances(client, operator, at=position + 10_000)
    assert_error(read, 422, "invalid_input", "X-Min-Position", "head")
    assert time.monotonic() - started < services.settings.read_wait_ms / 1000


def test_every_acknowledged_write_shows_in_the_next_read_without_a_header(
        client, adjust, auth):
    """300 writes, each followed at once by a read with no X-Min-Position (the
    bets benchmark makes 1,000 against a running server)."""
    player = auth(Role.PLAYER, "p1")
    for credits in range(1, 301):
        adjust(amount="1", requestId=f"rw-{credits}")
        read = read_balances(client, player)
        assert read.status_code == 200, read.text
        assert Decimal(btc_of(read)["cash"]) == credits
        assert read.headers["X-View-Lag"] == "0"
    [newest] = client.get("/v1/players/p1/ledger", params={"limit": 1},
                          headers=player).json()["entries"]
    assert newest["requestId"] == "rw-300"


def test_a_stopped_view_makes_its_reads_answer_stale_read(client, services, adjust, auth):
    """A view that cannot advance is never read stale: 503 stale_read, Retry-After."""
    adjust(amount="1")
    player = auth(Role.PLAYER, "p1")
    assert read_balances(client, player).status_code == 200
    balances = services.projections.views["balances"]

    def broken(cursor, batch):
        raise RuntimeError("disk on fire")

    balances.apply = broken
    services.settings.read_wait_ms = 300
    adjust(amount="1")
    read = read_balances(client, player)
    assert_error(read, 503, "stale_read", "balances")
    assert read.headers["Retry-After"] == "1"
    assert int(read.headers["X-View-Lag"]) >= 1
    # Other views still answer, and the view answers again once it can advance.
    assert client.get("/v1/players/p1/ledger", headers=player).status_code == 200
    del balances.apply
    services.projections.wake()
    services.settings.read_wait_ms = 5000
    read = read_balances(client, player)
    assert read.status_code == 200, read.text
    assert Decimal(btc_of(read)["cash"]) == 2


def test_a_min_position_that_is_not_a_number_is_refused(client, operator):
    read = client.get("/v1/players/p1/balances",
                      headers={**operator, "X-Min-Position": "soon"})
    assert_error(read, 422, "invalid_input", "x-min-position")


def test_a_player_without_a_wallet_has_no_balances(client, auth):
    read = read_balances(client, auth(Role.PLAYER, "nobody"), player="nobody")
    assert read.status_code == 200
    assert read.json() == {"playerId": "nobody", "balances": []}


# The ledger statement.

def test_ledger_pages_newest_first_without_gaps_or_duplicates(client, adjust, auth):
    for amount in range(1, 8):
        adjust(amount=str(amount), requestId=f"btc-{amount}")
    last = adjust(currency="ETH", amount="1", requestId="eth-1").json()["position"]
    player = {**auth(Role.PLAYER, "p1"), "X-Min-Position": str(last)}

    pages, cursor = [], None
    while len(pages) < 5:
        params = {"currency": "BTC", "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/players/p1/ledger", params=params, headers=player)
        assert page.status_code == 200, page.text
        pages.append(page.json()["entries"])
        cursor = page.json()["nextCursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    entries = [e for p in pages for e in p]
    assert [e["requestId"] for e in entries] == [f"btc-{n}" for n in range(7, 0, -1)]
    positions = [e["position"] for e in entries]
    assert positions == sorted(set(positions), reverse=True)
    assert [Decimal(e["amount"]) for e in entries] == list(range(7, 0, -1))
    assert [Decimal(e["balanceAfter"]) for e in entries] == [
        Decimal(n * (n + 1) // 2) for n in range(7, 0, -1)]
    assert {(e["currency"], e["pocket"], e["type"]) for e in entries} == {
        ("BTC", "available", "ADJUSTMENT")}


def test_ledger_without_a_currency_shows_every_currency_newest_first(client, adjust,
                                                                     auth):
    adjust(currency="BTC", amount="1")
    last = adjust(currency="ETH", amount="2").json()["position"]
    page = client.get("/v1/players/p1/ledger", headers={
        **auth(Role.PLAYER, "p1"), "X-Min-Position": str(last)}).json()
    assert [(e["currency"], Decimal(e["amount"])) for e in page["entries"]] == [
        ("ETH", 2), ("BTC", 1)]
    assert page["nextCursor"] is None


@pytest.mark.parametrize("params, field", [
    ({"cursor": "yesterday"}, "cursor"),
    ({"cursor": "1-2-3"}, "cursor"),
    ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"),
])
def test_a_bad_cursor_or_limit_is_refused(client, operator, params, field):
    page = client.get("/v1/players/p1/ledger", params=params, headers=operator)
    assert_error(page, 422, "invalid_input", field)


# Idempotency.

def test_a_retried_adjustment_returns_the_first_answer_and_appends_nothing(
        client, finance, make_body, log_head):
    body = make_body(requestId="retry-1")
    first = client.post(ADJUSTMENTS, json=body, headers=finance)
    head = log_head()
    again = client.post(ADJUSTMENTS, json=body, headers=finance)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["X-Log-Position"] == first.headers["X-Log-Position"]
    assert log_head() == head


def test_a_retry_after_other_writes_still_returns_the_first_answer(
        client, finance, make_body, adjust, log_head):
    body = make_body(requestId="retry-late")
    first = client.post(ADJUSTMENTS, json=body, headers=finance)
    adjust(amount="2")
    head = log_head()
    again = client.post(ADJUSTMENTS, json=body, headers=finance)
    assert again.json() == first.json()
    assert log_head() == head


@pytest.mark.parametrize("change", [
    {"amount": "2"}, {"currency": "ETH"}, {"balance": "bonus"},
    {"reason": "another reason"}, {"playerId": "p2"},
])
def test_reusing_a_request_id_for_another_adjustment_is_a_conflict(
        client, finance, operator, make_body, log_head, change):
    first = client.post(ADJUSTMENTS, json=make_body(requestId="dup"), headers=finance)
    head = log_head()
    reused = client.post(ADJUSTMENTS, json=make_body(requestId="dup", **change),
                         headers=finance)
    assert_error(reused, 409, "conflict", "dup")
    assert log_head() == head
    assert btc_of(read_balances(client, operator, at=head)) == first.json()["balance"]


# Bad input changes nothing.

BAD_INPUTS = {
    "excess precision": ({"amount": "0.000000001"}, "amount"),
    "excess precision for ETH": ({"currency": "ETH", "amount": "1." + "0" * 18 + "1"},
                                 "amount"),
    "a JSON number": ({"amount": 1.5}, "amount"),
    "a JSON integer": ({"amount": 1}, "amount"),
    "null": ({"amount": None}, "amount"),
    "NaN": ({"amount": "NaN"}, "amount"),
    "signalling NaN": ({"amount": "sNaN"}, "amount"),
    "Infinity": ({"amount": "Infinity"}, "amount"),
    "minus Infinity": ({"amount": "-Infinity"}, "amount"),
    "1e999": ({"amount": "1e999"}, "amount"),
    "too many digits": ({"amount": "1" + "0" * 20}, "amount"),
    "zero": ({"amount": "0"}, "amount"),
    "minus zero": ({"amount": "-0.00000000"}, "amount"),
    "empty amount": ({"amount": ""}, "amount"),
    "padded amount": ({"amount": " 1"}, "amount"),
    "decimal comma": ({"amount": "1,5"}, "amount"),
    "digit separators": ({"amount": "1_000"}, "amount"),
    "non-ASCII digits": ({"amount": "\u0661\u0662"}, "amount"),
    "unknown currency": ({"currency": "DOGE"}, "currency"),
    "lower-case currency": ({"currency": "btc"}, "currency"),
    "the reporting currency": ({"currency": "USD"}, "currency"),
    "unknown field": ({"memo": "hi"}, "memo"),
    "missing reason": ({"reason": DROP}, "reason"),
    "empty reason": ({"reason": ""}, "reason"),
    "blank reason": ({"reason": "   "}, "reason"),
    "unknown balance": ({"balance": "locked"}, "balance"),
    "missing amount": ({"amount": DROP}, "amount"),
    "missing requestId": ({"requestId": DROP}, "requestId"),
    "requestId too long": ({"requestId": "r" * 201}, "requestId"),
    "empty playerId": ({"playerId": ""}, "playerId"),
}


@pytest.mark.parametrize("change, field", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_adjustment_is_refused_naming_the_field_and_changes_nothing(
        client, finance, operator, adjust, make_body, log_head, change, field):
    before = btc_of(read_balances(client, operator, at=adjust(amount="1").json()["position"]))
    head = log_head()
    body = {k: v for k, v in (make_body(requestId="bad-1") | change).items()
            if v is not DROP}
    refused = client.post(ADJUSTMENTS, json=body, headers=finance)
    assert_error(refused, 422, "invalid_input", field)
    assert log_head() == head
    assert btc_of(read_balances(client, operator)) == before
    # The refused requestId was not used up: the same id now goes through.
    adjust(requestId="bad-1")


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'"1.5"'])
def test_a_body_that_is_not_an_adjustment_object_is_refused(client, finance, content,
                                                            log_head):
    refused = client.post(ADJUSTMENTS, content=content, headers={
        **finance, "Content-Type": "application/json"})
    assert_error(refused, 422, "invalid_input")
    assert log_head() == 0


def test_debiting_more_than_the_player_has_is_refused(client, adjust, operator,
                                                      log_head):
    funded = adjust(amount="1", requestId="fund").json()
    head = log_head()
    for change in ({"amount": "-1.00000001"}, {"amount": "-0.1", "balance": "bonus"},
                   {"amount": "-1", "playerId": "never-funded"}):
        refused = adjust(expect=409, **change)
        assert_error(refused, 409, "insufficient_funds")
    assert log_head() == head
    assert btc_of(read_balances(client, operator, at=head)) == funded["balance"]
    assert read_balances(client, operator, player="never-funded").json()["balances"] == []
    emptied = adjust(amount="-1").json()
    assert_amounts(emptied["balance"])


# Who may do what.

ROUTES = [("GET", "/v1/players/p1/balances"), ("GET", "/v1/players/p1/ledger"),
          ("POST", ADJUSTMENTS), ("GET", "/v1/admin/projections")]


def call(client, method, path, headers, make_body):
    body = make_body() if method == "POST" else None
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("method, path", ROUTES)
def test_no_token_is_401(client, make_body, method, path):
    refused = call(client, method, path, {}, make_body)
    assert_error(refused, 401, "unauthorized")
    assert refused.headers["WWW-Authenticate"] == "Bearer"


def forged(services, kind: str) -> str:
    now = int(time.time())
    claims = {"sub": "fin-alice", "role": "finance", "iat": now, "exp": now + 600}
    key = services.settings.secret
    return {
        "garbage": lambda: "not-a-token",
        "expired": lambda: services.tokens.issue(Role.FINANCE, "fin-alice", ttl=-60),
        "wrong key": lambda: TokenIssuer("k" * 40).issue(Role.FINANCE, "fin-alice"),
        "unsigned": lambda: jwt.encode(claims, None, algorithm="none"),
        "unknown role": lambda: jwt.encode(claims | {"role": "root"}, key, "HS256"),
        "no expiry": lambda: jwt.encode(
            {k: v for k, v in claims.items() if k != "exp"}, key, "HS256"),
    }[kind]()


@pytest.mark.parametrize("kind", ["garbage", "expired", "wrong key", "unsigned",
                                  "unknown role", "no expiry"])
def test_a_bad_token_is_401_and_changes_nothing(client, services, make_body, log_head,
                                                kind):
    headers = {"Authorization": f"Bearer {forged(services, kind)}"}
    refused = client.post(ADJUSTMENTS, json=make_body(), headers=headers)
    assert_error(refused, 401, "unauthorized")
    assert log_head() == 0
    assert_error(client.get("/v1/players/p1/balances", headers=headers), 401,
                 "unauthorized")


def test_a_basic_auth_header_is_not_a_bearer_token(client):
    refused = client.get("/v1/players/p1/balances",
                         headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert_error(refused, 401, "unauthorized")


@pytest.mark.parametrize("role", [Role.PLAYER, Role.OPERATOR, Role.PROVIDER,
                                  Role.COMPLIANCE, Role.REGULATOR])
def test_only_finance_may_adjust(client, auth, make_body, log_head, role):
    refused = client.post(ADJUSTMENTS, json=make_body(), headers=auth(role, "p1"))
    assert_error(refused, 403, "forbidden")
    assert log_head() == 0


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.REGULATOR])
@pytest.mark.parametrize("what", ["balances", "ledger"])
def test_a_provider_or_regulator_may_not_read_a_wallet(client, auth, role, what):
    refused = client.get(f"/v1/players/p1/{what}", headers=auth(role, "p1"))
    assert_error(refused, 403, "forbidden")


@pytest.mark.parametrize("what", ["balances", "ledger"])
def test_a_player_reads_only_their_own_wallet(client, auth, adjust, what):
    position = adjust(playerId="p2").json()["position"]
    mallory = {**auth(Role.PLAYER, "p1"), "X-Min-Position": str(position)}
    assert_error(client.get(f"/v1/players/p2/{what}", headers=mallory), 403, "forbidden")
    own = client.get(f"/v1/players/p2/{what}", headers={
        **auth(Role.PLAYER, "p2"), "X-Min-Position": str(position)})
    assert own.status_code == 200
    assert own.json()["balances" if what == "balances" else "entries"]


@pytest.mark.parametrize("headers", [{}, {"role": Role.PLAYER}], ids=["anonymous",
                                                                     "other player"])
def test_a_caller_without_rights_is_refused_before_waiting_for_the_views(
        client, auth, headers):
    caller = auth(headers["role"], "p2") if headers else {}
    started = time.monotonic()
    refused = client.get("/v1/players/p1/balances",
                         headers={**caller, "X-Min-Position": "1000000"})
    assert refused.status_code in (401, 403)
    assert time.monotonic() - started < 1.0


def test_projections_need_a_staff_role(client, auth):
    for role in (Role.PLAYER, Role.PROVIDER):
        assert_error(client.get("/v1/admin/projections", headers=auth(role, "p1")),
                     403, "forbidden")


# Operations: projections, health, docs.

def test_projections_show_position_head_and_lag(client, services, adjust, operator):
    empty = client.get("/v1/admin/projections", headers=operator)
    assert empty.status_code == 200
    assert all((r["position"], r["head"], r["lag"]) == (0, 0, 0) for r in empty.json())
    position = adjust().json()["position"]
    # A balances read waits for the balances view alone; every view, reactions too:
    assert services.projections.wait(position, 5)
    rows = {r["name"]: r for r in client.get("/v1/admin/projections",
                                             headers=operator).json()}
    assert {"balances", "ledger_entries", "journal"} <= set(rows)
    for row in rows.values():
        assert (row["position"], row["head"], row["lag"], row["error"]) == (
            position, position, 0, None), row


def test_healthz_is_ok_without_a_token(client, adjust, operator):
    position = adjust().json()["position"]
    read_balances(client, operator, at=position)
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert (body["status"], body["head"]) == ("ok", position)
    assert {p["name"] for p in body["projections"]} >= {"balances", "ledger_entries",
                                                        "journal"}


def test_docs_and_openapi_list_every_route(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    assert "/openapi.json" in docs.text
    spec = client.get("/openapi.json").json()
    documented = {(method.upper(), path) for path, ops in spec["paths"].items()
                  for method in ops}
    assert {("GET", "/healthz"), ("GET", "/v1/players/{player_id}/balances"),
            ("GET", "/v1/players/{player_id}/ledger"), ("POST", ADJUSTMENTS),
            ("GET", "/v1/admin/projections")} <= documented
    for method, path in documented:  # each documented operation is really served
        answer = client.request(method, re.sub(r"\{[^}]+\}", "p1", path))
        assert answer.status_code not in (404, 405), (method, path, answer.status_code)


def test_openapi_documents_errors_in_the_shape_the_api_sends(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("4"):
                    continue
                ref = response["content"]["application/json"]["schema"]["$ref"]
                shape = schemas[ref.rsplit("/", 1)[-1]]
                assert "error" in shape["properties"], (method, path, status, ref)


def test_an_unknown_path_answers_in_the_error_shape(client):
    assert_error(client.get("/v1/nowhere"), 404, "not_found")


def test_while_the_database_is_away_writes_and_reads_answer_503_and_retry_after(
        client, services, adjust, finance, monkeypatch):
    """A lost connection or a restarting database is not a 500: the caller is told
    to retry, and the same requestId then gets its one result."""
    from eventsourcing.persistence import OperationalError

    def away(*_, **__):
        raise OperationalError("connection refused: the database is restarting")

    with monkeypatch.context() as patched:
        patched.setattr(services.ledger, "execute", away)
        patched.setattr(services.projections, "head", away)
        write = client.post("/v1/admin/adjustments", headers=finance, json={
            "requestId": "away-1", "playerId": "p1", "currency": "BTC", "amount": "1",
            "balance": "cash", "reason": "load"})
        read = client.get("/v1/players/p1/balances", headers=finance)
    for answer in (write, read):
        assert_error(answer, 503, "unavailable", "retry")
        assert answer.headers["Retry-After"] == "1"
    again = client.post("/v1/admin/adjustments", headers=finance, json={
        "requestId": "away-1", "playerId": "p1", "currency": "BTC", "amount": "1",
        "balance": "cash", "reason": "load"})
    assert again.status_code == 200, again.text
