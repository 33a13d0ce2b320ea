"""The player each event concerns, for the message's CloudEvents `subject`.

An aggregate's creation event names its player (`player_id`); later events of
some aggregates do not (a wallet's credits). The relay remembers the owners
of the aggregates it has seen created, and reads the creation event of any
other (after a restart, or past a selection) once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

CACHE = 100_000


class Owners:
    def __init__(self, recorder: Any, mapper: Any, size: int = CACHE):
        self.recorder = recorder
        self.mapper = mapper
        self.size = size
        self._known: OrderedDict[UUID, str | None] = OrderedDict()

    def player(self, event: Any) -> str | None:
        player = getattr(event, "player_id", None)
        aggregate = event.originator_id
        if isinstance(player, str):
            if event.originator_version == 1:
                self._remember(aggregate, player)
            return player
        if aggregate not in self._known:
            self._remember(aggregate, self._created_by(aggregate))
        self._known.move_to_end(aggregate)
        return self._known[aggregate]

    def _created_by(self, aggregate: UUID) -> str | None:
        first = self.recorder.select_events(aggregate, lte=1, limit=1)
        if not first:
            return None
        player = getattr(self.mapper.to_domain_event(first[0]), "player_id", None)
        return player if isinstance(player, str) else None

    def _remember(self, aggregate: UUID, player: str | None) -> None:
        self._known[aggregate] = player
        while len(self._known) > self.size:
            self._known.popitem(last=False)
