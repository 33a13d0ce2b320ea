"""Trace ids: which request caused each event, kept with the event.

The HTTP edge names the trace of each request (`REQUEST_TRACE`: its W3C
`traceparent`, its `X-Request-Id`, or one made for it). `Ledger.execute` ties
it to the command (`carrying`) before the command crosses to the thread that
decides it (the group-commit decider); while the command is decided
(`deciding`), every event its aggregates trigger is stamped with it
(`LedgerAggregate.Event`). The trace id is stored in the event's state beside
its fields, never among them: the public payload, the views and exports are
as they were, and an event with no request behind it carries none. It costs a
dictionary look-up per command and an attribute per event.

The brand a caller's token is scoped to (`REQUEST_BRAND`, None for the group
and for followers) travels the same way, so the command path can refuse a
scoped caller another brand's players (domain/brands/stamping.py, which also
stamps each event with its brand).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

ATTRIBUTE = "trace_id"  # the key in the stored event's state

REQUEST_TRACE: ContextVar[str | None] = ContextVar("casino_trace", default=None)
REQUEST_BRAND: ContextVar[str | None] = ContextVar("casino_brand", default=None)

# id(command) -> (trace id, brand scope), while it is executed
_carried: dict[int, tuple[str | None, str | None]] = {}
_deciding = threading.local()


@contextmanager
def carrying(command: Any) -> Iterator[None]:
    """The current request's trace id and brand scope go with `command`."""
    trace, brand = REQUEST_TRACE.get(), REQUEST_BRAND.get()
    if trace is None and brand is None:
        yield
        return
    key = id(command)
    _carried[key] = (trace, brand)
    try:
        yield
    finally:
        _carried.pop(key, None)


@contextmanager
def deciding(command: Any) -> Iterator[None]:
    """Events triggered inside (in this thread) are stamped with `command`'s trace."""
    outer = getattr(_deciding, "trace", None), getattr(_deciding, "brand", None)
    _deciding.trace, _deciding.brand = _carried.get(id(command), outer)
    try:
        yield
    finally:
        _deciding.trace, _deciding.brand = outer


@contextmanager
def traced(trace: str | None) -> Iterator[None]:
    """Commands executed inside carry `trace` (a follower reacting to an event)."""
    token = REQUEST_TRACE.set(trace)
    try:
        yield
    finally:
        REQUEST_TRACE.reset(token)


def scope() -> str | None:
    """The brand the command being decided here is scoped to (None: the group)."""
    return getattr(_deciding, "brand", None)


def stamp(event: Any) -> None:
    trace = getattr(_deciding, "trace", None)
    if trace is not None:
        object.__setattr__(event, ATTRIBUTE, trace)


def trace_of(event: Any) -> str | None:
    """The trace id an event was stamped with (None: no request behind it)."""
    return vars(event).get(ATTRIBUTE)
