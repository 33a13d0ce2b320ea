"""The base of every ledger aggregate: events stamped by the ledger's clock, and
with the trace id of the request that caused them (domain/kernel/tracing.py)."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain.kernel.clock import clock
from domain.kernel.tracing import stamp


class LedgerAggregate(Aggregate):
    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

        def __post_init__(self) -> None:
            super().__post_init__()
            stamp(self)
