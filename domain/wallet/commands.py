"""Manual adjustments by finance: a signed credit or debit with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.errors import InvalidInput
from domain.wallet.model import Wallet


@command_result("wallet-balances")
@dataclass(frozen=True)
class WalletBalances:
    """A wallet's pockets after a command."""

    player_id: str
    currency: str
    cash: Decimal
    bonus: Decimal
    locked: Decimal
    bonus_locked: Decimal
    available: Decimal
    version: int

    @classmethod
    def of(cls, wallet: Wallet) -> WalletBalances:
        return cls(wallet.player_id, wallet.currency, wallet.cash, wallet.bonus,
                   wallet.locked, wallet.bonus_locked, wallet.available, wallet.version)


@dataclass(frozen=True)
class Adjust:
    kind: ClassVar[str] = "adjustment"
    request_id: str
    player_id: str
    currency: str
    amount: Decimal
    balance: str
    reason: str
    actor: str

    @property
    def partition(self) -> str:
        return self.player_id

    @property
    def caller(self) -> str:
        return f"staff:{self.actor}"

    def decide(self, uow: UnitOfWork) -> WalletBalances:
        if not self.reason.strip():
            raise InvalidInput("reason must not be empty", field="reason")
        if self.amount == 0:
            raise InvalidInput("amount must not be zero", field="amount")
        amount = uow.currencies.check(self.amount, self.currency)
        wallet = uow.wallet(self.player_id, self.currency, self.request_id)
        move = wallet.credit if amount > 0 else wallet.debit
        move(abs(amount), balance=self.balance, tag="ADJUSTMENT",
             request_id=self.request_id, reference=f"adjustment:{self.request_id}",
             actor=self.actor, memo=self.reason)
        return WalletBalances.of(wallet)


def wallet_figures(wallet: Wallet) -> dict[str, Any]:
    """A wallet's balances as the audit's history reads show them."""
    return {
        "playerId": wallet.player_id,
        "currency": wallet.currency,
        "cash": wallet.cash,
        "bonus": wallet.bonus,
        "locked": wallet.locked,
        "bonusLocked": wallet.bonus_locked,
        "available": wallet.available,
        "version": wallet.version,
    }
