"""HTTP: balances as of a time, verified replays and the adjustment log, with their roles."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from api.http.auth import Role
from tests.e2e.http_helpers import assert_error

BALANCES = "/v1/audit/players/p1/balances"
ADJUSTMENTS = "/v1/admin/audit/adjustments"
REPLAY = "/v1/admin/audit/replay"


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.fixture
def history(adjust, frozen_clock):
    """Two adjustments a minute apart; the instant between them."""
    adjust(amount="2", reason="welcome")
    between = frozen_clock.now() + timedelta(seconds=30)
    frozen_clock.advance(timedelta(minutes=1))
    adjust(amount="-0.5", reason="correction")
    frozen_clock.advance(timedelta(minutes=1))
    return between


def test_the_same_instant_gives_the_same_answer_as_the_log_grows(client, auth, history,
                                                                adjust, frozen_clock):
    """`position` and `logPosition` of an instant never move once it has passed."""
    instants = [history, history - timedelta(seconds=30), frozen_clock.now()]
    first = [client.get(BALANCES, params={"at": iso(at)}, headers=auth(Role.REGULATOR))
             for at in instants]
    assert all(r.status_code == 200 for r in first), [r.text for r in first]
    frozen_clock.advance(timedelta(seconds=1))
    adjust(amount="3", reason="later")
    adjust(playerId="p2", amount="4", reason="someone else")
    frozen_clock.advance(timedelta(seconds=1))
    again = [client.get(BALANCES, params={"at": iso(at)}, headers=auth(Role.REGULATOR))
             for at in instants]
    for before, after in zip(first, again):
        assert after.status_code == 200, after.text
        assert (after.json()["position"], after.json()["logPosition"]) == (
            before.json()["position"], before.json()["logPosition"])
        assert after.json()["balances"] == before.json()["balances"]
        assert before.json()["logPosition"] >= before.json()["position"]
    assert first[0].json()["position"] > 0 and first[1].json()["position"] > 0


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.COMPLIANCE])
def test_regulators_and_compliance_read_balances_as_of_a_time(client, auth, history, role,
                                                              frozen_clock):
    read = client.get(BALANCES, params={"at": iso(history)}, headers=auth(role))
    assert read.status_code == 200, read.text
    body = read.json()
    [wallet] = body["balances"]
    assert (wallet["currency"], wallet["cash"], wallet["available"]) == (
        "BTC", "2.00000000", "2.00000000")
    assert body["position"] == wallet["position"] > 0 and wallet["version"] == 2
    assert body["logPosition"] >= body["position"]
    now = client.get(BALANCES, params={"at": iso(frozen_clock.now())},
                     headers=auth(role)).json()
    assert now["balances"][0]["cash"] == "1.50000000"


@pytest.mark.parametrize("role", [Role.PLAYER, Role.OPERATOR, Role.FINANCE])
def test_other_roles_may_not_read_past_balances(client, auth, history, role):
    assert_error(client.get(BALANCES, params={"at": iso(history)},
                            headers=auth(role, "p1")), 403, "forbidden")


@pytest.mark.parametrize("at, says", [("2026-01-15T12:00:00", "time zone"),
                                      ("2099-01-01T00:00:00Z", "future"),
                                      ("soon", "ISO-8601")])
def test_a_bad_instant_is_a_422(client, auth, history, at, says):
    assert_error(client.get(BALANCES, params={"at": at}, headers=auth(Role.REGULATOR)),
                 422, "invalid_input", says)


def test_balances_need_a_token_and_an_instant(client, auth):
    assert client.get(BALANCES, params={"at": "2026-01-15T12:00:00Z"}).status_code == 401
    assert client.get(BALANCES, headers=auth(Role.REGULATOR)).status_code == 422


@pytest.mark.parametrize("role", [Role.COMPLIANCE, Role.FINANCE])
def test_compliance_and_finance_read_the_adjustment_log(client, auth, history, log_head,
                                                        role):
    read = client.get(ADJUSTMENTS, params={"playerId": "p1", "currency": "BTC"},
                      headers=auth(role) | {"X-Min-Position": str(log_head())})
    assert read.status_code == 200, read.text
    newest, oldest = read.json()["entries"]
    assert (newest["actor"], newest["reason"], newest["before"], newest["after"]) == (
        "fin-alice", "correction", {"cash": "2.00000000"}, {"cash": "1.50000000"})
    assert oldest["kind"] == "ADJUSTMENT" and read.json()["nextCursor"] is None


def test_the_adjustment_log_pages_and_filters_by_time(client, auth, history, log_head):
    headers = auth(Role.COMPLIANCE) | {"X-Min-Position": str(log_head())}
    first = client.get(ADJUSTMENTS, params={"limit": 1}, headers=headers).json()
    rest = client.get(ADJUSTMENTS, params={"cursor": first["nextCursor"]},
                      headers=headers).json()
    assert [e["reason"] for e in first["entries"] + rest["entries"]] == [
        "correction", "welcome"]
    window = client.get(ADJUSTMENTS, params={"from": iso(history)}, headers=headers)
    assert [e["reason"] for e in window.json()["entries"]] == ["correction"]
    assert_error(client.get(ADJUSTMENTS, params={"to": "yesterday"}, headers=headers),
                 422, "invalid_input", "to:")
    assert_error(client.get(ADJUSTMENTS, params={"from": ""}, headers=headers),
                 422, "invalid_input", "from:")
    assert_error(client.get(ADJUSTMENTS, params={"cursor": "x"}, headers=headers),
                 422, "invalid_input", "cursor")


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.REGULATOR, Role.PLAYER])
def test_other_roles_may_not_read_the_adjustment_log(client, auth, role):
    assert client.get(ADJUSTMENTS, headers=auth(role)).status_code == 403


def wait_for_verdict(client, headers, request_id: str) -> dict:
    for _ in range(200):
        run = client.get(f"/v1/admin/audit/replays/{request_id}", headers=headers).json()
        if run["verdict"] != "running":
            return run
        time.sleep(0.05)
    raise AssertionError(f"replay {request_id} still running")


def test_compliance_runs_a_recorded_replay_and_reads_its_verdict(client, auth, history):
    headers = auth(Role.COMPLIANCE, "carol")
    started = client.post(REPLAY, json={"requestId": "audit-1"}, headers=headers)
    assert started.status_code == 202, started.text
    assert (started.json()["verdict"], started.json()["actor"]) == ("running", "carol")
    run = wait_for_verdict(client, headers, "audit-1")
    assert (run["verdict"], run["differences"], run["error"]) == ("equal", 0, "")
    assert run["position"] > 0 and run["finishedAt"] is not None
    assert {v["status"] for v in run["summary"]["views"]} == {"equal"}
    again = client.post(REPLAY, json={"requestId": "audit-1"}, headers=headers)
    assert again.json()["replayId"] == started.json()["replayId"]
    assert_error(client.post(REPLAY, json={"requestId": "audit-1",
                                           "until": iso(history)}, headers=headers),
                 409, "conflict")


def test_a_replay_until_a_time_is_rebuilt_and_compared_with_nothing(client, auth,
                                                                    history):
    headers = auth(Role.COMPLIANCE)
    client.post(REPLAY, json={"requestId": "audit-2", "until": iso(history)},
                headers=headers)
    run = wait_for_verdict(client, headers, "audit-2")
    assert run["verdict"] == "rebuilt" and run["until"] == iso(history)
    rows = {v["name"]: v["rows"] for v in run["summary"]["views"]}
    assert rows["balances"] == {"balances": 1}


def test_replay_input_and_roles(client, auth):
    headers = auth(Role.COMPLIANCE)
    assert_error(client.post(REPLAY, json={"requestId": "a", "until": "2099-01-01T00:00Z"},
                             headers=headers), 422, "invalid_input", "future")
    assert client.post(REPLAY, json={"requestId": "a", "until": "2026-01-01T00:00"},
                       headers=headers).status_code == 422
    assert_error(client.get("/v1/admin/audit/replays/nope", headers=headers), 404,
                 "not_found")
    for role in (Role.FINANCE, Role.OPERATOR, Role.REGULATOR):
        assert client.post(REPLAY, json={"requestId": "b"},
                           headers=auth(role)).status_code == 403
        assert client.get("/v1/admin/audit/replays/a", headers=auth(role)).status_code == 403
