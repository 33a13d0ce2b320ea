"""Deposit: one transfer to a player's address, keyed by (chain, tx hash, index).

Detected in a block as pending (or below the currency's minimum: recorded,
never credited), credited once when the watcher's chain has grown to the
required confirmations above its block, or orphaned when a reorg takes its
block away. An orphaned transfer mined again in another block is detected
again. The key makes a second credit impossible by construction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id

PENDING, CREDITED, ORPHANED, BELOW_MINIMUM = "pending", "credited", "orphaned", "below_minimum"
# Confirmed, but held for compliance review (KYT or a deposit limit) instead of credited.
HELD = "held"


class Deposit(LedgerAggregate):
    @staticmethod
    def create_id(chain: str, tx_hash: str, index: int, **_: Any) -> UUID:
        return deposit_key(chain, tx_hash, index)

    @event("Detected")
    def __init__(self, player_id: str, chain: str, currency: str, tx_hash: str,
                 index: int, address: str, amount: Decimal, block_height: int,
                 block_hash: str, required: int, status: str):
        self.player_id = player_id
        self.chain = chain
        self.currency = currency
        self.tx_hash = tx_hash
        self.index = index
        self.address = address
        self.amount = amount
        self.block_height = block_height
        self.block_hash = block_hash
        self.required = required
        self.status = status
        self.risk_score = 0  # the KYT screen of the source (0: clean or not reported)

    @property
    def reference(self) -> str:
        return f"deposit:{self.chain}:{self.tx_hash}:{self.index}"

    def confirmations(self, tip: int) -> int:
        return max(tip - self.block_height + 1, 0)

    def credit(self, tip: int) -> None:
        if self.status != PENDING:
            raise Conflict(f"{self.reference} is {self.status}, not pending")
        self._credited(self.confirmations(tip))

    def screened(self, risk_score: int) -> None:
        if risk_score:
            self._screened(risk_score)

    def hold(self, tip: int, rule: str) -> None:
        """Confirmed, but not credited: compliance reviews it (docs/compliance.md)."""
        if self.status != PENDING:
            raise Conflict(f"{self.reference} is {self.status}, not pending")
        self._held(self.confirmations(tip), rule)

    def release(self, actor: str, reason: str) -> None:
        if self.status != HELD:
            raise Conflict(f"{self.reference} is {self.status}, not held")
        self._released(actor, reason)

    def orphan(self) -> None:
        if self.status == PENDING:
            self._orphaned(self.block_hash)

    def redetect(self, block_height: int, block_hash: str) -> None:
        if self.status == ORPHANED:
            self._redetected(block_height, block_hash)

    @event("Credited")
    def _credited(self, confirmations: int) -> None:
        self.status = CREDITED

    @event("Screened")
    def _screened(self, risk_score: int) -> None:
        self.risk_score = risk_score

    @event("Held")
    def _held(self, confirmations: int, rule: str) -> None:
        self.status = HELD

    @event("Released")
    def _released(self, actor: str, reason: str) -> None:
        self.status = CREDITED

    @event("Orphaned")
    def _orphaned(self, block_hash: str) -> None:
        self.status = ORPHANED

    @event("Redetected")
    def _redetected(self, block_height: int, block_hash: str) -> None:
        self.block_height = block_height
        self.block_hash = block_hash
        self.status = PENDING


def deposit_key(chain: str, tx_hash: str, index: int) -> UUID:
    return natural_id("deposit", chain, tx_hash, index)
