"""Round and Tombstone: what protocols that send a round piece by piece need.

Hub88 (and Evolution, Pragmatic, ...) send the debits and credits of one round
as separate calls: several bets, wins naming the bet they pay, and a flag that
closes the round. A `Round` remembers a player's bets of one provider round so
that closing it settles the bets no win paid. A `Tombstone` is a rollback that
arrived before the transaction it cancels: it takes the id that transaction's
bet would have (`bet_key`), so the late bet finds it and is refused, and two
racing commands collide on the id instead of both succeeding.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.betting.model import bet_key
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id


class Round(LedgerAggregate):
    @staticmethod
    def create_id(provider: str, player_id: str, round_id: str, **_: Any) -> UUID:
        return round_key(provider, player_id, round_id)

    @event("Opened")
    def __init__(self, provider: str, player_id: str, round_id: str, bet_id: str):
        """Opened by its first bet (one event, not two, for the usual one-bet round)."""
        self.provider = provider
        self.player_id = player_id
        self.round_id = round_id
        self.bet_ids: tuple[str, ...] = (bet_id,)
        self.closed = False

    def add_bet(self, bet_id: str) -> None:
        if self.closed:
            raise Conflict(f"round {self.round_id} is closed; it takes no more bets")
        self._bet_added(bet_id)

    def close(self, *, request_id: str) -> None:
        """Close once; closing a closed round records nothing."""
        if not self.closed:
            self._closed(request_id)

    @event("BetAdded")
    def _bet_added(self, bet_id: str) -> None:
        self.bet_ids = (*self.bet_ids, bet_id)

    @event("Closed")
    def _closed(self, request_id: str) -> None:
        self.closed = True


class Tombstone(LedgerAggregate):
    @staticmethod
    def create_id(provider: str, transaction_id: str, **_: Any) -> UUID:
        return bet_key(provider, transaction_id)

    @event("Recorded")
    def __init__(self, provider: str, transaction_id: str, player_id: str,
                 request_id: str):
        self.provider = provider
        self.transaction_id = transaction_id
        self.player_id = player_id


def round_key(provider: str, player_id: str, round_id: str) -> UUID:
    """A round is one player's: a live table's round id is shared by many players."""
    return natural_id("round", provider, player_id, round_id)
