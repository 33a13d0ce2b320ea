"""The base of every ledger aggregate: events stamped by the ledger's clock and
with the trace id of the request that caused them (domain/kernel/tracing.py);
aggregates copied quickly.

The command path copies each aggregate a command touches (a refused command
must leave no trace, domain/commanding/unit_of_work.py), so copying is on every
command's path. An aggregate's state is plain data (text, numbers, Decimals,
dates, ids, and dicts, lists and tuples of them), and its pending events are
immutable, so a copy needs only new containers: `copy.deepcopy`'s generic
walk with its memo costs several times as much. Anything else is deep-copied.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.kernel.clock import clock
from domain.kernel.tracing import stamp

IMMUTABLE = frozenset({str, int, float, bool, bytes, Decimal, UUID, datetime, date,
                       timedelta, type(None), frozenset})


class LedgerAggregate(Aggregate):
    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

        def __post_init__(self) -> None:
            super().__post_init__()
            stamp(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        copied = object.__new__(type(self))
        state = {name: copied_value(value) for name, value in self.__dict__.items()
                 if name != "_pending_events"}
        state["_pending_events"] = list(self._pending_events)  # events are immutable
        copied.__dict__.update(state)
        return copied


def copied_value(value: Any) -> Any:
    kind = type(value)
    if kind in IMMUTABLE:
        return value
    if kind is dict:
        return {key: copied_value(item) for key, item in value.items()}
    if kind is list:
        return [copied_value(item) for item in value]
    if kind is tuple:
        return tuple(copied_value(item) for item in value)
    if kind is set:
        return set(value)
    return deepcopy(value)
