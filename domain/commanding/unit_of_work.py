"""The aggregates one command reads and changes, so they are saved together."""

from __future__ import annotations

from copy import deepcopy

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate

from domain.kernel.money import Currencies
from domain.players.model import Player, player_key
from domain.rules import Rules
from domain.wallet.model import Wallet, wallet_id

A = TypeVar("A", bound=Aggregate)


class UnitOfWork:
    def __init__(self, repository: Repository[Any], rules: Rules,
                 parent: UnitOfWork | None = None):
        self._repository = repository
        self.rules = rules
        self._parent = parent
        self._aggregates: dict[UUID, Aggregate] = {}
        self._pending_at_entry: dict[UUID, int] = {}

    @property
    def currencies(self) -> Currencies:
        return self.rules.currencies

    def fork(self) -> UnitOfWork:
        """A child that copies what it touches, so a refused command leaves no trace."""
        return UnitOfWork(self._repository, self.rules, parent=self)

    def merge(self, child: UnitOfWork) -> None:
        """Keep what a child decided (its copies replace the originals)."""
        for aggregate_id, aggregate in child._aggregates.items():
            self._aggregates[aggregate_id] = aggregate
            self._pending_at_entry.setdefault(aggregate_id, 0)

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate with this id (loaded once per unit), or None."""
        if aggregate_id in self._aggregates:
            return self._aggregates[aggregate_id]
        if self._parent is not None:
            found = self._parent.find(aggregate_id)
            found = None if found is None else deepcopy(found)
        else:
            try:
                found = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                found = None
        if found is not None:
            self._enter(found)
        return found

    def peek(self, aggregate_id: UUID) -> Any | None:
        """The aggregate if this unit (or its parent) already holds it; no query."""
        if aggregate_id in self._aggregates:
            return self._aggregates[aggregate_id]
        return self._parent.peek(aggregate_id) if self._parent else None

    def add(self, aggregate: A) -> A:
        self._enter(aggregate, new=True)
        return aggregate

    def _enter(self, aggregate: Aggregate, *, new: bool = False) -> None:
        self._aggregates[aggregate.id] = aggregate
        self._pending_at_entry[aggregate.id] = 0 if new else len(aggregate.pending_events)

    def wallet(self, player_id: str, currency: str, request_id: str) -> Wallet:
        """The player's wallet in this currency, opened by this request if new."""
        self.currencies.get(currency)
        found = self.find(wallet_id(player_id, currency))
        if found is not None:
            return found
        return self.add(Wallet(player_id=player_id, currency=currency,
                               request_id=request_id, reference=""))

    def player(self, player_id: str) -> Player:
        """The player's record, registered at the bottom of the ladder if new."""
        found = self.find(player_key(player_id))
        if found is not None:
            return found
        return self.add(Player(player_id, level=self.rules.ladder.names[0]))

    def stale(self) -> bool:
        """Whether any aggregate read here has newer events in the store now.

        A command refused on such a read saw aggregates from different moments
        (another process committed in between); it must be decided again.
        """
        for aggregate_id, aggregate in self._aggregates.items():
            read_at = aggregate.version - len(aggregate.pending_events)
            if read_at and self._repository.get(aggregate_id).version != read_at:
                return True
        return False

    def changed(self) -> list[Aggregate]:
        """The aggregates this unit added events to (a fork: this command alone)."""
        return [a for i, a in self._aggregates.items()
                if len(a.pending_events) > self._pending_at_entry[i]]
