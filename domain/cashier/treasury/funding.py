"""House money moved into the hot wallet (a cold-wallet refill or new capital).

The coins arrive on chain outside any player's deposit, so finance records
them, keyed by chain transaction: the hot wallet's account takes them from
`house:capital`, and reconciliation then expects them on chain. Recording
the same transaction again returns the first record; another amount is a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.ids import natural_id
from domain.kernel.postings import HOUSE_HOT_WALLET, Leg, transfer
from domain.commanding.unit_of_work import UnitOfWork

HOUSE_CAPITAL = "house:capital"


class HotWalletFunding(LedgerAggregate):
    class Funded(LedgerAggregate.Created):
        currency: str
        amount: Decimal
        tx_hash: str
        actor: str
        reason: str
        entry_type = "HOT_WALLET_FUNDING"

        @property
        def reference(self) -> str:
            return f"funding:{self.tx_hash}"

        def legs(self) -> list[Leg]:
            return transfer(HOUSE_HOT_WALLET, HOUSE_CAPITAL, self.amount)

    @staticmethod
    def create_id(currency: str, tx_hash: str, **_: Any) -> UUID:
        return natural_id("hot-wallet-funding", currency, tx_hash)

    @event(Funded)
    def __init__(self, currency: str, amount: Decimal, tx_hash: str, actor: str,
                 reason: str):
        self.currency = currency
        self.amount = amount
        self.tx_hash = tx_hash

    def record(self) -> FundingRecord:
        return FundingRecord(str(self.id), self.currency, self.amount, self.tx_hash)


@command_result("hot-wallet-funding")
@dataclass(frozen=True)
class FundingRecord:
    funding_id: str
    currency: str
    amount: Decimal
    tx_hash: str


@dataclass(frozen=True)
class RecordFunding:
    kind: ClassVar[str] = "hot-wallet-funding"
    request_id: ClassVar[None] = None
    currency: str
    amount: Decimal
    tx_hash: str
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return f"treasury:{self.currency}"

    def decide(self, uow: UnitOfWork) -> FundingRecord:
        amount = uow.currencies.check(self.amount, self.currency)
        if amount <= 0 or not self.tx_hash.strip() or not self.reason.strip():
            raise InvalidInput("a funding needs a positive amount, its txHash and a "
                               "reason", field="amount")
        key = HotWalletFunding.create_id(self.currency, self.tx_hash)
        found = uow.find(key)
        if found is None:
            found = uow.add(HotWalletFunding(self.currency, amount, self.tx_hash,
                                             self.actor, self.reason))
        elif found.amount != amount:
            raise Conflict(f"{self.tx_hash} was recorded with {found.amount}")
        return found.record()
