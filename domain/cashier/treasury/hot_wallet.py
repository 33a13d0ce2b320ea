"""HotWallet: one chain's hot wallet as the ledger knows it: its nonce sequence.

One sequence per hot wallet, recorded in the ledger, so two workers (or a
worker restarted mid-send) never give two withdrawals the same nonce, and a
withdrawal keeps the nonce it was first given. The sequence starts at the
chain's own count and never falls behind it (a transaction sent outside the
ledger moves it on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.cashier.withdrawals.commands import withdrawal_of


class HotWallet(LedgerAggregate):
    @staticmethod
    def create_id(chain: str, **_: Any) -> UUID:
        return hot_wallet_key(chain)

    @event("Opened")
    def __init__(self, chain: str):
        self.chain = chain
        self.next_nonce = 0
        self.nonces: dict[str, int] = {}  # withdrawal id -> nonce

    def reserve(self, withdrawal_id: str, chain_next: int) -> int:
        if withdrawal_id not in self.nonces:
            self._reserved(withdrawal_id, max(self.next_nonce, chain_next))
        return self.nonces[withdrawal_id]

    @event("NonceReserved")
    def _reserved(self, withdrawal_id: str, nonce: int) -> None:
        self.nonces[withdrawal_id] = nonce
        self.next_nonce = nonce + 1


def hot_wallet_key(chain: str) -> UUID:
    return natural_id("hot-wallet", chain)


@dataclass(frozen=True)
class ReserveNonce:
    """The withdrawal's nonce: reserved once, the same on every retry. The
    withdrawal records it in the same transaction, so it can no longer be
    rejected (a nonce given up would leave a gap that blocks the later ones)."""

    kind: ClassVar[str] = "hot-wallet-nonce"
    request_id: ClassVar[None] = None
    chain: str
    withdrawal_id: str
    chain_next: int

    @property
    def partition(self) -> str:
        return f"hot-wallet:{self.chain}"

    def decide(self, uow: UnitOfWork) -> NonceReservation:
        withdrawal = withdrawal_of(uow, UUID(self.withdrawal_id))
        hot = uow.find(hot_wallet_key(self.chain)) or uow.add(HotWallet(self.chain))
        nonce = hot.reserve(self.withdrawal_id, self.chain_next)
        withdrawal.reserve_nonce(nonce)
        return NonceReservation(self.chain, self.withdrawal_id, nonce)


@command_result("hot-wallet-nonce")
@dataclass(frozen=True)
class NonceReservation:
    chain: str
    withdrawal_id: str
    nonce: int
