"""A message on the bus: its subject, its CloudEvents attributes, and the selection."""

from __future__ import annotations

import json
from decimal import Decimal

from domain.audit.public_record import public_form
from domain.kernel import tracing
from projections.relay.messages import Envelopes, Selection
from tests.factories import open_wallet


def credited_event():
    wallet = open_wallet("p-1", "USDT")
    wallet.credit(Decimal("10.50"), balance="cash", tag="DEPOSIT", request_id="r-1",
                  reference="tx:1")
    return wallet.pending_events[-1]


def test_a_credit_is_a_cloudevent_on_its_public_subject():
    event = credited_event()
    message = Envelopes("casino.ledger", "urn:casino-ledger").message(
        42, event, public_form(event), "p-1")
    body = json.loads(message.body)
    assert message.position == 42 and message.subject == "casino.ledger.wallet.credited"
    assert body == {
        "specversion": "1.0", "type": "wallet.credited.v1", "source": "urn:casino-ledger",
        "id": "42", "time": body["time"], "subject": "p-1",
        "datacontenttype": "application/json", "logposition": 42,
        "data": public_form(event).payload}
    assert body["data"]["amount"] == "10.50" and body["time"].endswith("Z")


def test_an_event_without_a_known_player_names_its_aggregate():
    event = credited_event()
    body = json.loads(Envelopes("p", "s").message(1, event, public_form(event), None).body)
    assert body["subject"] == str(event.originator_id)


def test_the_trace_id_of_the_command_is_an_extension_attribute():
    command = object()
    with tracing.traced("trace-7"), tracing.carrying(command), tracing.deciding(command):
        wallet = open_wallet("p-1", "USDT", cash="1")
    event = wallet.pending_events[-1]
    assert tracing.trace_of(event) == "trace-7"
    body = json.loads(Envelopes("p", "s").message(1, event, public_form(event), "p-1").body)
    assert body["traceid"] == "trace-7" and "trace_id" not in body["data"]


def test_selection_by_names_and_prefixes():
    assert "anything.at_all" in Selection()
    chosen = Selection(["bet", "wallet.*", "deposit.credited"])
    assert {"bet.placed", "wallet.credited", "deposit.credited"} <= {
        n for n in ("bet.placed", "wallet.credited", "deposit.credited") if n in chosen}
    assert "bonus.granted" not in chosen and "deposit.detected" not in chosen
    assert "betting.x" not in chosen  # a context prefix stops at its dot
