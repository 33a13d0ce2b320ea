"""BonusGrant: bonus money with a wagering requirement; BonusBook: a player's grants.

A grant is made when bonus money is credited with a requirement (cashback
with a wagering multiplier: requirement = multiplier x amount). Settled
stakes count towards it, weighted by game category; once the progress meets
the requirement the grant completes and its amount (never more than the
wallet's free bonus) moves to cash. An optional expiry forfeits what is left.
Each grant's id is uuid5 of its source (e.g. the cashback period), so it is
made once. Life cycle: open -> completed | expired.

The book (one per player and currency) lists the grants, so the wagering
follower finds a player's open grants without a view.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO

OPEN, COMPLETED, EXPIRED = "open", "completed", "expired"


class BonusGrant(LedgerAggregate):
    @staticmethod
    def create_id(source: str, **_: Any) -> UUID:
        return grant_key(source)

    @event("Granted")
    def __init__(self, source: str, player_id: str, currency: str, amount: Decimal,
                 requirement: Decimal, tag: str, expires_at: datetime | None):
        self.source = source
        self.tag = tag  # the credit's tag: its house account takes back a forfeit
        self.player_id = player_id
        self.currency = currency
        self.amount = amount
        self.requirement = requirement
        self.expires_at = expires_at
        self.progress = ZERO
        self.status = OPEN
        self.settled_amount = ZERO  # converted to cash, or forfeited
        # The plays counted, by key (a dict, not a set: snapshots can hold it).
        self.wagered: dict[str, Decimal] = {}

    @property
    def met(self) -> bool:
        return self.progress >= self.requirement

    def counts(self, key: str, settled_at: datetime) -> bool:
        """Whether a play settled at `settled_at` counts (once, after the grant)."""
        return self.status == OPEN and key not in self.wagered and settled_at >= self.created_on

    def wager(self, key: str, stake: Decimal, weight: Decimal, counted: Decimal) -> None:
        self._wagered(key, stake, weight, counted)

    def complete(self, converted: Decimal) -> None:
        self._completed(converted)

    def expire(self, forfeited: Decimal) -> None:
        self._expired(forfeited)

    @event("Wagered")
    def _wagered(self, key: str, stake: Decimal, weight: Decimal, counted: Decimal) -> None:
        self.wagered[key] = counted
        self.progress += counted

    @event("Completed")
    def _completed(self, converted: Decimal) -> None:
        self.status = COMPLETED
        self.settled_amount = converted

    @event("Expired")
    def _expired(self, forfeited: Decimal) -> None:
        self.status = EXPIRED
        self.settled_amount = forfeited


class BonusBook(LedgerAggregate):
    @staticmethod
    def create_id(player_id: str, currency: str, **_: Any) -> UUID:
        return book_key(player_id, currency)

    @event("Opened")
    def __init__(self, player_id: str, currency: str):
        self.player_id = player_id
        self.currency = currency
        self.grants: list[str] = []
        self.open: list[str] = []

    def add(self, grant_id: str) -> None:
        self._added(grant_id)

    def close(self, grant_id: str) -> None:
        if grant_id in self.open:
            self._closed(grant_id)

    @event("GrantAdded")
    def _added(self, grant_id: str) -> None:
        self.grants.append(grant_id)
        self.open.append(grant_id)

    @event("GrantClosed")
    def _closed(self, grant_id: str) -> None:
        self.open.remove(grant_id)


def grant_key(source: str) -> UUID:
    return natural_id("bonus-grant", source)


def book_key(player_id: str, currency: str) -> UUID:
    return natural_id("bonus-book", player_id, currency)
