"""Bet: a stake held on a player's wallet, then settled, refunded or rolled back.

The bet snapshots the game's RTP, category and provider when it is placed, and
records how much of the stake came from cash and how much from bonus, so its
outcome returns money to the same sources. Its id is uuid5 of the provider and
the placing requestId, so a retried placement finds the same bet.

Life cycle: OPEN -> SETTLED (WIN, LOSS, PUSH, VOID) | REFUNDED | CANCELLED.
A rollback undoes one step: a settlement (back to OPEN) or a placement
(CANCELLED).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO

OUTCOMES = ("WIN", "LOSS", "PUSH", "VOID")
OPEN, SETTLED, REFUNDED, CANCELLED = "OPEN", "SETTLED", "REFUNDED", "CANCELLED"


class Bet(LedgerAggregate):
    @staticmethod
    def create_id(provider: str, request_id: str, **_: Any) -> UUID:
        return bet_key(provider, request_id)

    @event("Placed")
    def __init__(self, provider: str, request_id: str, player_id: str, game_id: str,
                 round_id: str, currency: str, stake: Decimal, cash_part: Decimal,
                 bonus_part: Decimal, rtp: Decimal, category: str, game_provider: str,
                 house_game: bool):
        self.provider = provider
        self.player_id = player_id
        self.game_id = game_id
        self.round_id = round_id
        self.currency = currency
        self.stake = stake
        self.cash_part = cash_part
        self.bonus_part = bonus_part
        self.rtp = rtp
        self.category = category
        self.game_provider = game_provider
        self.house_game = house_game
        self._reopen()

    @property
    def hold_id(self) -> str:
        return str(self.id)

    @property
    def net_loss(self) -> Decimal:
        """What the player lost on this bet (negative for a win above the stake)."""
        returned = self.stake if self.outcome in ("PUSH", "VOID") else self.payout
        return self.stake - returned

    def settled_as(self, outcome: str, payout: Decimal) -> bool:
        return self.status == SETTLED and (self.outcome, self.payout) == (outcome, payout)

    # Commands

    def settle(self, outcome: str, payout: Decimal, *, cash_payout: Decimal,
               bonus_payout: Decimal, request_id: str, player_level: str = "") -> None:
        """Settle; `player_level` is the player's VIP level now (rakeback keys on it)."""
        self._check_status(OPEN, "settled")
        self._settled(outcome, payout, cash_payout, bonus_payout, request_id,
                      player_level)

    def refund(self, *, request_id: str, reason: str) -> None:
        self._refunded(self.status, request_id, reason)

    def roll_back(self, *, request_id: str) -> None:
        stage = "SETTLEMENT" if self.status == SETTLED else "PLACEMENT"
        self._check_status((OPEN, SETTLED), "rolled back")
        self._rolled_back(stage, request_id)

    def _check_status(self, allowed: str | tuple[str, ...], action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"bet {self.id} is {self.status.lower()} "
                           f"({self.outcome or 'no outcome'}) and cannot be {action}")

    # Events

    @event("Settled")
    def _settled(self, outcome: str, payout: Decimal, cash_payout: Decimal,
                 bonus_payout: Decimal, request_id: str, player_level: str = "",
                 timestamp: datetime | None = None) -> None:
        self.status = SETTLED
        self.settled_at = timestamp
        self.settled_level = player_level
        self.outcome = outcome
        self.payout = payout
        self.cash_payout = cash_payout
        self.bonus_payout = bonus_payout

    @event("Refunded")
    def _refunded(self, previous_status: str, request_id: str, reason: str) -> None:
        self.status = REFUNDED

    @event("RolledBack")
    def _rolled_back(self, stage: str, request_id: str) -> None:
        if stage == "SETTLEMENT":
            self._reopen()
        else:
            self.status = CANCELLED

    def _reopen(self) -> None:
        self.status = OPEN
        self.outcome: str | None = None
        self.payout = ZERO
        self.cash_payout = ZERO
        self.bonus_payout = ZERO
        self.settled_at: datetime | None = None
        self.settled_level = ""


def bet_key(provider: str, request_id: str) -> UUID:
    return natural_id("bet", provider, request_id)
