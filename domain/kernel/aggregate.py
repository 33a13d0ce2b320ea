"""The base of every ledger aggregate: events stamped by the ledger's clock."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain.kernel.clock import clock


class LedgerAggregate(Aggregate):
    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()
