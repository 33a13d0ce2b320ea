"""The public event contract: each event's chosen name, version and plain payload.

A stored event names its class by module path and carries the event library's
encoding; neither leaves the process. Whoever reads the log from outside
(regulator exports, the bus, docs/events.md) sees a `PublicEvent` instead:

- `name`: `<context>.<past-tense phrase>`, lower case, dots between the context
  and the phrase, underscores inside the phrase (`wallet.hold_settled`);
- `version`: the event class's `class_version` (1 until its payload changes
  shape, when an upcaster and a new version come together);
- `payload`: the event's own fields, camelCase, as plain JSON (see `plain`).
  The library's bookkeeping (originator id and version, timestamp, topic) is
  left out: an envelope carries it.

The names are chosen once, in domain/event_names.py, for every event class of
every aggregate;
tests/unit/test_public_events.py fails on an event class without a name, and
on a name without a class. docs/events.md is the catalogue a reader uses.
Events decoded from old logs are instances of today's classes (see
domain/legacy_topics.py), so they get the same names.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

BOOKKEEPING = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"})
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@dataclass(frozen=True)
class PublicEvent:
    name: str  # "wallet.credited"
    version: int  # 1
    payload: dict[str, Any]  # JSON-ready: str, int, bool, None, list, dict only


def public_event(event: DomainEvent) -> PublicEvent:
    """The public name, version and payload of any event of any aggregate."""
    cls = type(event)
    name, version = catalogue()[cls]
    state, missing = vars(event), added_later(cls)
    return PublicEvent(name, version, {
        key: plain(state[field] if field in state else missing[field])
        for field, key in payload_keys(cls)})


def public_names() -> dict[str, int]:
    """Every public name -> its version."""
    return dict(catalogue().values())


@cache
def own_fields(cls: type) -> tuple[str, ...]:
    """An event class's own fields, in order: its payload, before camelCase."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in BOOKKEEPING)


@cache
def payload_keys(cls: type) -> tuple[tuple[str, str], ...]:
    """Each own field of an event class with its payload key (camelCase)."""
    return tuple((field, camel(field)) for field in own_fields(cls))


@cache
def added_later(cls: type) -> dict[str, Any]:
    """Fields an event class gained after some of its events were stored, with
    the value older events mean (so every version-1 payload has every field)."""
    from domain.event_names import ADDED_LATER

    return ADDED_LATER.get(cls, {})


@cache
def catalogue() -> dict[type, tuple[str, int]]:
    """Each event class -> (public name, version), from the names chosen below."""
    # The names live beside the legacy topics, at the top of domain/, because
    # they name classes of every context; the kernel must not import those
    # at load time.
    from domain.event_names import PUBLIC_NAMES

    found: dict[type, tuple[str, int]] = {}
    for aggregate, names in PUBLIC_NAMES.items():
        for attribute, name in names.items():
            cls = getattr(aggregate, attribute)
            found[cls] = (name, getattr(cls, "class_version", 1))
    return found


def plain(value: Any) -> Any:
    """A value as plain JSON: amounts as fixed-point strings, times as UTC `Z`
    strings, UUIDs and enums as their text, record keys in camelCase."""
    # Looked up by exact type first: the relay and the exports call this for
    # every field of every event, and the isinstance chain cost a tenth of it.
    convert = BY_TYPE.get(type(value))
    return convert(value) if convert is not None else _plain_subclass(value)


def _plain_subclass(value: Any) -> Any:
    if isinstance(value, Enum):
        return plain(value.value)
    for kind, convert in BY_TYPE.items():
        if isinstance(value, kind):
            return convert(value)
    raise TypeError(f"no public form for {type(value).__name__}")


def _same(value: Any) -> Any:
    return value


def _mapping(value: dict[Any, Any]) -> dict[str, Any]:
    return {camel(str(k)): plain(v) for k, v in value.items()}


def _sequence(value: Any) -> list[Any]:
    return [plain(v) for v in value]


def _collection(value: Any) -> list[Any]:
    return sorted(plain(v) for v in value)


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with `Z` (a naive time is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat() + "Z"


@lru_cache(maxsize=4096)  # field names repeat on every event; data keys are few
def camel(key: str) -> str:
    """`player_id` -> `playerId`; keys that are data (`USDT`, `instant`, a tx
    hash) have no snake_case shape and stay as they are."""
    if not SNAKE.match(key):
        return key
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


# bool before int, datetime before date: `_plain_subclass` tries them in order.
BY_TYPE: dict[type, Any] = {
    str: _same, bool: _same, int: _same, type(None): _same,
    Decimal: lambda value: format(value, "f"), datetime: lambda value: iso_utc(value),
    date: date.isoformat, UUID: str, dict: _mapping, list: _sequence, tuple: _sequence,
    set: _collection, frozenset: _collection,
}
