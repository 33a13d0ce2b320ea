"""The public event contract: every event class of every aggregate has a chosen
name and a version, every name a class, and every payload is plain JSON, for
events written today and for events decoded from an old log."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from datetime import datetime, timezone
from decimal import Decimal
from uuid import uuid4

from eventsourcing.domain import Aggregate, CanInitAggregate, DomainEvent, Snapshot
from eventsourcing.utils import get_topic

import domain
from domain.kernel.public_events import catalogue, plain, public_event, public_names
from domain.wallet.model import Wallet
from tests.fixtures.legacy_log import decoded_events

NAME = re.compile(r"^[a-z]+\.[a-z]+(_[a-z]+)*$")


def aggregates() -> set[type]:
    """Every aggregate class defined anywhere in domain/ (less bases such as
    LedgerAggregate, which are never instantiated)."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found, pending = set(), [Aggregate]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass.__module__.startswith("domain.") and not subclass.__subclasses__():
                found.add(subclass)
            pending.append(subclass)
    return found


def event_classes(aggregate: type) -> set[type]:
    """The events an aggregate can record: its nested event classes, less the
    library's bases (`Event`, and `Created` when the aggregate names its own)."""
    nested = {cls for cls in vars(aggregate).values() if isinstance(cls, type)
              and issubclass(cls, DomainEvent) and not issubclass(cls, Snapshot)}
    nested.discard(vars(aggregate).get("Event"))
    creations = {cls for cls in nested if issubclass(cls, CanInitAggregate)}
    if len(creations) > 1:
        nested.discard(vars(aggregate).get("Created"))
    return nested


def test_every_event_class_has_a_public_name_and_every_name_a_class():
    found = {cls for agg in aggregates() for cls in event_classes(agg)}
    named = set(catalogue())
    assert sorted(map(get_topic, found - named)) == [], "events without a public name"
    assert sorted(map(get_topic, named - found)) == [], "names without an event class"


def test_names_are_chosen_lower_case_dotted_and_unique():
    names = [name for name, _ in catalogue().values()]
    assert len(names) == len(set(names))
    assert [n for n in names if not NAME.match(n)] == []
    assert public_names()["wallet.credited"] == 1


def test_a_credit_in_public_terms():
    wallet = Wallet(player_id="p1", currency="USDT", request_id="r1", reference="")
    wallet.credit(Decimal("1E+1"), balance="cash", tag="DEPOSIT", request_id="r2",
                  reference="tx:1")
    opened, credited = wallet.collect_events()
    assert public_event(opened).name == "wallet.opened"
    found = public_event(credited)
    assert (found.name, found.version) == ("wallet.credited", 1)
    assert found.payload == {
        "playerId": "p1", "currency": "USDT", "requestId": "r2", "reference": "tx:1",
        "balance": "cash", "amount": "10", "tag": "DEPOSIT", "actor": "", "memo": ""}


def test_plain_values():
    moment = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    some = uuid4()
    assert plain({"net_loss": Decimal("0.00000010"), "at": moment, "id": some,
                  "parts": {"USDT": Decimal("1.50"), "instant": (1, True, None)}}) == {
        "netLoss": "0.00000010", "at": "2026-01-15T12:00:00Z", "id": str(some),
        "parts": {"USDT": "1.50", "instant": [1, True, None]}}


def test_events_of_an_old_log_have_public_names_and_plain_payloads():
    names = public_names()
    for event in decoded_events():
        found = public_event(event)
        assert found.name in names
        text = json.dumps(found.payload)
        assert "_type_" not in text and "domain." not in text
        assert json.loads(text) == found.payload
