"""Aggregates as they were just before and just after an event, for a follower of the log.

A follower sees every event in log order, so an aggregate it has seen once is
rolled forward in memory by its own events (`event.mutate`, the aggregate's
own mutators) instead of being read again: reading a past version from the
repository costs a few milliseconds, rolling forward microseconds. Whenever
the next event does not follow the state in memory (first sight, eviction, a
batch seen again after a retry), the state is read from the repository at the
version before the event, so the answer never depends on what was cached.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository

SIZE = 10_000  # aggregates kept in memory, least recently used evicted


class AggregateStates:
    def __init__(self, repository: Repository[Any], size: int = SIZE):
        self.repository = repository
        self.size = size
        self._states: OrderedDict[UUID, Any] = OrderedDict()
        self._lock = threading.Lock()

    def around(self, event: Any) -> tuple[Any, Any]:
        """The event's aggregate just before it (None if it created it) and just after."""
        with self._lock:
            before = self._before(event)
            after = event.mutate(copy.deepcopy(before))
            self._keep(event.originator_id, after)
            return before, after

    def follow(self, event: Any) -> None:
        """Roll a kept aggregate forward (others are not worth reading)."""
        with self._lock:
            state = self._states.get(event.originator_id)
            if state is not None and state.version == event.originator_version - 1:
                self._keep(event.originator_id, event.mutate(state))
            elif state is not None:
                del self._states[event.originator_id]

    def _before(self, event: Any) -> Any:
        version = event.originator_version - 1
        state = self._states.get(event.originator_id)
        if state is not None and state.version == version:
            return state
        if version == 0:
            return None
        return self.repository.get(event.originator_id, version=version)

    def _keep(self, aggregate_id: UUID, state: Any) -> None:
        self._states[aggregate_id] = state
        self._states.move_to_end(aggregate_id)
        if len(self._states) > self.size:
            self._states.popitem(last=False)
