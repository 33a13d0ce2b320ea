"""What the withdrawal worker records: deferral, signature, broadcast, outcome.

The signed transaction is recorded BEFORE it is broadcast, in the same
transaction that moves the player's locked cash to pending withdrawals, so a
worker that dies after broadcasting sends the same bytes again (same hash,
same nonce) and can never pay twice. Operators resolve a failed send: retry
(broadcast the same bytes again) or cancel (the amount returns to the player).
Each is keyed by the withdrawal (no requestId); a repeat is a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.commanding.unit_of_work import UnitOfWork
from domain.cashier.withdrawals.commands import withdrawal_of
from domain.cashier.withdrawals.records import WithdrawalRecord, withdrawal_record


@dataclass(frozen=True)
class WithdrawalStep:
    kind: ClassVar[str] = "withdrawal-step"
    request_id: ClassVar[None] = None
    withdrawal_id: UUID

    @property
    def partition(self) -> str:
        return f"withdrawal:{self.withdrawal_id}"

    def decide(self, uow: UnitOfWork) -> WithdrawalRecord:
        withdrawal = withdrawal_of(uow, self.withdrawal_id)
        self.apply(uow, withdrawal)
        return withdrawal_record(withdrawal)

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class DeferWithdrawal(WithdrawalStep):
    """The hot wallet cannot pay it now: it stays queued, with the alert recorded."""

    kind: ClassVar[str] = "withdrawal-defer"
    reason: str = ""

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        withdrawal.defer(self.reason)


@dataclass(frozen=True)
class RecordSigned(WithdrawalStep):
    kind: ClassVar[str] = "withdrawal-signed"
    tx_hash: str = ""
    raw: str = ""
    nonce: int | None = None
    fee: Decimal = Decimal(0)
    fee_currency: str = ""
    sent: Decimal = Decimal(0)
    fee_charged: Decimal = Decimal(0)

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        withdrawal.sign(self.tx_hash, self.raw, self.nonce, self.fee, self.fee_currency,
                        self.sent, self.fee_charged)
        uow.wallet(withdrawal.player_id, withdrawal.currency, withdrawal.lock_id
                   ).settle_lock(withdrawal.lock_id, request_id=withdrawal.lock_id,
                                 reference=withdrawal.lock_id)


@dataclass(frozen=True)
class RecordBroadcast(WithdrawalStep):
    kind: ClassVar[str] = "withdrawal-broadcast"

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        withdrawal.broadcast()


@dataclass(frozen=True)
class RecordSendFailed(WithdrawalStep):
    kind: ClassVar[str] = "withdrawal-send-failed"
    error: str = ""

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        withdrawal.fail(self.error[:2000])


@dataclass(frozen=True)
class RecordMined(WithdrawalStep):
    """The receipt: confirmed (the fee booked), or reverted (only the fee booked)."""

    kind: ClassVar[str] = "withdrawal-mined"
    succeeded: bool = True
    block_height: int = 0
    block_hash: str = ""
    fee_paid: Decimal = Decimal(0)

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        if self.succeeded:
            withdrawal.confirm(self.block_height, self.block_hash, self.fee_paid)
        else:
            withdrawal.revert(self.fee_paid)


@dataclass(frozen=True)
class RetryWithdrawal(WithdrawalStep):
    kind: ClassVar[str] = "withdrawal-retry"
    actor: str = ""
    reason: str = ""

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        withdrawal.retry(self.actor, self.reason)


@dataclass(frozen=True)
class CancelWithdrawal(WithdrawalStep):
    """Give up a failed send: the amount returns from pending withdrawals."""

    kind: ClassVar[str] = "withdrawal-cancel"
    actor: str = ""
    reason: str = ""

    def apply(self, uow: UnitOfWork, withdrawal: Any) -> None:
        withdrawal.cancel(self.actor, self.reason)
        uow.wallet(withdrawal.player_id, withdrawal.currency, withdrawal.lock_id).credit(
            withdrawal.amount, balance="cash", tag="WITHDRAWAL_RETURN",
            request_id=withdrawal.lock_id, reference=withdrawal.lock_id,
            actor=self.actor, memo=self.reason)

