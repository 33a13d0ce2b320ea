"""Trace ids end to end: a provider's `traceparent` or `X-Request-Id` (or one the
ledger makes) is echoed, stamped on every event the request causes, and carried
by the relay onto each of their messages on NATS JetStream."""

from __future__ import annotations

import json
import logging
import re
from io import StringIO

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fastapi.testclient import TestClient

from api.http.app import create_app
from api.observability.logs import configure_logging
from domain.kernel.tracing import trace_of
from tests.e2e.conftest import PROVIDER_SECRETS, sign
from tests.e2e.http_helpers import bet_body
from tests.nats import MACHINE_NATS, read_stream, stream  # noqa: F401
from tests.relay_helpers import relay_until_caught_up

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"
BET_EVENTS = ["Bet.Placed", "Request.Recorded", "Wallet.Held"]  # a placement's, sorted


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"metrics": "public"})


def place(client, auth, request_id: str, **headers: str):
    raw = json.dumps(bet_body(requestId=request_id, roundId=f"r-{request_id}")).encode()
    response = client.post("/v1/bets/place", content=raw, headers={
        **auth("provider", "acme"), "Content-Type": "application/json",
        "X-Casino-Signature": sign(PROVIDER_SECRETS["acme"], raw), **headers})
    assert response.status_code == 200 and response.json()["status"] == "ACCEPTED", \
        response.text
    return response


def traced_events(services, trace: str) -> list[str]:
    """The public names of the events stamped with `trace`, in log order."""
    ledger = services.ledger
    events = [ledger.mapper.to_domain_event(n)
              for n in ledger.recorder.select_notifications(start=None, limit=10**6)]
    return [type(e).__qualname__ for e in events if trace_of(e) == trace]


def test_a_traceparent_on_a_bet_is_on_its_events_and_on_their_messages(
        services, client, auth, adjust, game, stream):  # noqa: F811
    game()
    adjust(playerId="p1", currency="USDT", amount="100")
    response = place(client, auth, "bet-traced", traceparent=TRACEPARENT,
                     **{"X-Request-Id": "provider-call-7"})
    assert response.headers["X-Trace-Id"] == TRACE
    assert response.headers["X-Request-ID"] == "provider-call-7"
    assert sorted(traced_events(services, TRACE)) == BET_EVENTS

    name, prefix = stream
    services.config.relay.stream, services.config.relay.subject_prefix = name, prefix
    relay_until_caught_up(services)
    messages = [m["body"] for m in read_stream(MACHINE_NATS, name, prefix)]
    on_bus = [m["type"] for m in messages if m.get("traceid") == TRACE]
    assert sorted(on_bus) == ["bet.placed.v1", "request.recorded.v1", "wallet.held.v1"]
    adjustment = [m for m in messages if m["type"] == "wallet.credited.v1"]
    assert adjustment and all(m["traceid"] != TRACE for m in adjustment)


def test_an_x_request_id_alone_is_the_trace_id(services, client, auth, adjust, game):
    game()
    adjust(playerId="p1", currency="USDT", amount="100")
    response = place(client, auth, "bet-2", **{"X-Request-Id": "acme-req-42"})
    assert response.headers["X-Trace-Id"] == "acme-req-42"
    assert "Bet.Placed" in traced_events(services, "acme-req-42")


def test_without_either_header_the_ledger_makes_a_trace_id_and_echoes_it(
        services, client, auth, adjust, game):
    game()
    adjust(playerId="p1", currency="USDT", amount="100")
    response = place(client, auth, "bet-3")
    trace = response.headers["X-Trace-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace)  # a valid W3C trace id
    assert response.headers["X-Request-ID"] == trace
    assert sorted(traced_events(services, trace)) == BET_EVENTS


def test_the_relays_position_and_lag_show_in_the_projections_and_the_metrics(
        services, client, operator, adjust, stream):  # noqa: F811
    name, prefix = stream
    services.config.relay.stream, services.config.relay.subject_prefix = name, prefix
    adjust(playerId="p1", currency="USDT", amount="100")
    relay_until_caught_up(services)
    published = services.ledger.head()
    adjust(playerId="p2", currency="USDT", amount="5")  # the relay is stopped now
    rows = client.get("/v1/admin/projections", headers=operator).json()
    [row] = [r for r in rows if r["name"] == f"relay:{name}"]
    head = row["head"]
    assert head > published and (row["position"], row["lag"], row["error"]) == (
        published, head - published, None)
    samples = {(s.name, tuple(s.labels.values())): s.value
               for family in text_string_to_metric_families(client.get("/metrics").text)
               for s in family.samples}
    assert samples[("casino_relay_lag_events", (f"relay:{name}",))] == head - published
    assert samples[("casino_relay_failing", (f"relay:{name}",))] == 0


def test_a_log_line_written_inside_a_request_carries_its_trace_id(services):
    app = create_app(services)
    app.add_api_route("/log-something", lambda: logging.getLogger("casino.test").warning(
        "written inside"), methods=["GET"])
    root, out = logging.getLogger(), StringIO()
    handler = logging.StreamHandler(out)
    root.addHandler(handler)
    try:
        configure_logging("text", "INFO")
        with TestClient(app) as client:
            client.get("/log-something", headers={"traceparent": TRACEPARENT,
                                                    "X-Request-Id": "call-9"})
    finally:
        root.removeHandler(handler)
    assert f"written inside [request_id=call-9 trace_id={TRACE}]" in out.getvalue()
