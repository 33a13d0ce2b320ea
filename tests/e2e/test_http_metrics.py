"""GET /metrics after real traffic through the real app: the figures moved as they should.

Bets accepted and rejected (a responsible-gaming block among them),
settlements, a refund, a claim and an adjustment go through HTTP; then the
Prometheus text is parsed with prometheus-client's own parser.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.http.auth import Role
from api.observability.logs import JsonFormatter
from tests.factories import set_vip_level

Samples = dict[tuple[str, frozenset], float]
METRICS_TOKEN = "metrics-token-0123456789"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"metrics": "public"})


def scrape(client, headers: dict[str, str] | None = None) -> Samples:
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def caught_up(client, services) -> None:
    services.projections.catch_up()
    assert services.projections.wait(services.ledger.head(), 10)


def traffic(client, services, auth, adjust, game, place, settle) -> None:
    game()
    adjust(playerId="p1", currency="USDT", amount="5000")
    set_vip_level(services, "p1", "Gold")
    bets = [place(roundId=f"r-{n}")["betId"] for n in (1, 2, 3)]
    assert place(stake={"amount": "5000", "currency": "USDT"})["reason"] == "MAX_STAKE"
    assert place(gameId="no-such-game")["reason"] == "UNKNOWN_GAME"
    for round_id, bet, outcome, payout in (("r-1", bets[0], "WIN", "25"),
                                           ("r-2", bets[1], "LOSS", "0"),
                                           ("r-3", bets[2], "VOID", "0")):
        assert settle(round_id, (bet, outcome, payout)).status_code == 200
    caught_up(client, services)  # the rakeback of the lost bet accrues
    claim = client.post("/v1/players/p1/rakeback/claim", headers=auth(Role.PLAYER, "p1"),
                        json={"requestId": "claim-1", "type": "INSTANT"})
    assert claim.status_code == 200, claim.text
    refund = client.post(f"/v1/bets/{bets[1]}/refund", headers={},
                         json={"requestId": "refund-1", "reason": "round cancelled"})
    assert refund.status_code == 401  # unsigned: refused before any command


def exclude(client, auth) -> None:
    until = (datetime.now(timezone.utc) + timedelta(days=7)).isoformat()
    put = client.put("/v1/admin/players/p1/limits", headers=auth(Role.COMPLIANCE, "c"),
                     json={"selfExcludedUntil": until, "dailyLossLimits": {},
                           "reason": "cooling off"})
    assert put.status_code == 200, put.text


def test_bets_settlements_claims_and_money_move_the_metrics(
        client, services, auth, adjust, game, place, settle, signed):
    traffic(client, services, auth, adjust, game, place, settle)
    refunded = signed(f"/v1/bets/{place(roundId='r-4')['betId']}/refund",
                      {"requestId": "refund-1", "reason": "round cancelled"})
    assert refunded.status_code == 200, refunded.text
    exclude(client, auth)
    assert place(roundId="r-5")["reason"] == "SELF_EXCLUDED"
    caught_up(client, services)

    s = scrape(client)

    command = "casino_command_duration_seconds_count"
    assert value(s, command, kind="place", outcome="ok") == 4
    assert value(s, command, kind="place", outcome="rejected") == 3
    assert value(s, command, kind="settle", outcome="ok") == 3
    assert value(s, command, kind="refund", outcome="ok") == 1
    assert value(s, command, kind="claim", outcome="ok") == 1
    assert value(s, command, kind="adjustment", outcome="ok") == 1
    assert value(s, "casino_bets_placed_total", provider="acme", result="accepted") == 4
    for reason in ("MAX_STAKE", "UNKNOWN_GAME", "SELF_EXCLUDED"):
        assert value(s, "casino_bet_rejections_total", provider="acme", reason=reason) == 1
    for outcome in ("WIN", "LOSS", "VOID"):
        assert value(s, "casino_bet_settlements_total", provider="acme",
                     outcome=outcome) == 1
    assert value(s, "casino_bet_reversals_total", provider="acme", kind="refund") == 1
    http = "casino_http_request_duration_seconds_count"
    assert value(s, http, method="POST", route="/v1/bets/place", status="200") == 7
    assert value(s, http, method="POST", route="/v1/bets/{bet_id}/refund",
                 status="401") == 1
    assert value(s, "casino_money_wagered", currency="USDT") == 20
    assert value(s, "casino_money_paid_out", currency="USDT") == 25
    assert value(s, "casino_money_ggr", currency="USDT") == -5
    assert value(s, "casino_money_ngr", currency="USDT") == -5
    # 20 USDT settled at 99% RTP, Gold (0.5), instant bucket 10%: 0.01 claimed
    assert value(s, "casino_money_rakeback_credited", currency="USDT") == 0.01
    assert value(s, "casino_group_commit_batch_size_count") >= 1
    for view in ("balances", "pnl", "journal", "rakeback"):
        assert value(s, "casino_view_lag_events", view=view) == 0
        assert value(s, "casino_view_failed", view=view) == 0
    assert value(s, "casino_view_position", view="pnl") == services.ledger.head()
    assert all(v == 1 for (name, _), v in s.items() if name == "casino_metrics_source_up")
    labels = {v for (_, pairs) in s for _, v in pairs}
    assert "p1" not in labels  # never a player in a label


def test_a_failing_job_shows_in_the_job_runs(client, services, operator, frozen_clock):
    from tests.e2e.test_http_jobs import RUN
    from schedulers.jobs.catalogue import Job

    def broken(period):
        raise RuntimeError("no data")

    services.jobs.add(Job("test-credit", "day", broken, "always fails"))
    assert client.post(RUN, json={"period": "2026-01-14"},
                       headers=operator).status_code == 500
    caught_up(client, services)
    s = scrape(client)
    assert value(s, "casino_job_runs", job="test-credit", outcome="failed") == 1


def test_metrics_behind_a_token_refuse_anyone_without_it(services, settings):
    from fastapi.testclient import TestClient

    from api.bootstrap import bootstrap
    from api.http.app import create_app

    guarded = settings.model_copy(update={
        "metrics": "token", "metrics_token": SecretStr(METRICS_TOKEN),
        "database_url": settings.database_url})
    built = bootstrap(guarded)
    try:
        with TestClient(create_app(built)) as client:
            assert client.get("/metrics").status_code == 401
            wrong = {"Authorization": "Bearer not-the-token-at-all"}
            assert client.get("/metrics", headers=wrong).status_code == 401
            scrape(client, {"Authorization": f"Bearer {METRICS_TOKEN}"})
    finally:
        built.close()


def test_settings_refuse_a_token_mode_without_a_token(settings):
    from api.config.settings import Settings

    with pytest.raises(ValueError, match="METRICS_TOKEN"):
        Settings(database_url=settings.database_url, metrics="token")
    with pytest.raises(ValueError, match="METRICS_PORT"):
        Settings(database_url=settings.database_url, metrics="port")


@pytest.fixture
def json_client(settings):
    """An app logging JSON lines; the process's logging is put back afterwards."""
    from fastapi.testclient import TestClient

    from api.bootstrap import bootstrap
    from api.http.app import create_app

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    built = bootstrap(settings.model_copy(update={"log_format": "json"}))
    out = StringIO()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            handler.setStream(out)
    try:
        with TestClient(create_app(built)) as client:
            yield client, lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    finally:
        built.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_each_request_logs_one_json_line_with_its_ids(json_client, auth):
    client, lines = json_client
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = client.get("/v1/admin/games/none", headers=auth(Role.OPERATOR, "o") | {
        "X-Request-ID": "req-42", "traceparent": f"00-{trace}-00f067aa0ba902b7-01"})

    assert response.headers["X-Request-ID"] == "req-42"
    [line] = [line for line in lines() if line.get("request_id") == "req-42"]
    assert line["trace_id"] == trace and line["logger"] == "casino_ledger.access"
    assert (line["route"], line["status"], line["level"]) == ("/v1/admin/games/{game_id}",
                                                            404, "INFO")
    assert line["duration_ms"] >= 0 and line["time"].endswith("Z")
    assert "Bearer" not in json.dumps(line)
    other = client.get("/v1/admin/games/none", headers={"X-Request-ID": "bad id\x01"})
    assert other.headers["X-Request-ID"] != "bad id\x01"
