"""The aggregates one command reads and changes, so they are saved together."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate

from domain.money import Currencies
from domain.wallet import Wallet, wallet_id

A = TypeVar("A", bound=Aggregate)


class UnitOfWork:
    def __init__(self, repository: Repository[Any], currencies: Currencies):
        self._repository = repository
        self.currencies = currencies
        self._aggregates: dict[UUID, Aggregate] = {}

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate with this id (loaded once per unit), or None."""
        if aggregate_id not in self._aggregates:
            try:
                self._aggregates[aggregate_id] = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
        return self._aggregates[aggregate_id]

    def add(self, aggregate: A) -> A:
        self._aggregates[aggregate.id] = aggregate
        return aggregate

    def wallet(self, player_id: str, currency: str, request_id: str) -> Wallet:
        """The player's wallet in this currency, opened by this request if new."""
        self.currencies.get(currency)
        found = self.find(wallet_id(player_id, currency))
        if found is not None:
            return found
        return self.add(Wallet(player_id=player_id, currency=currency,
                               request_id=request_id, reference=""))

    def changed(self) -> list[Aggregate]:
        return [a for a in self._aggregates.values() if a.pending_events]
