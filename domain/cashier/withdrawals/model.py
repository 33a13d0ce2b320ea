"""Withdrawal: a player's request to send coins out, from request to confirmation.

queued (or pending_approval above the USD threshold: one finance approval,
two different ones above the second) -> signed (the transaction and its nonce
recorded BEFORE broadcasting; the player's locked cash moves to pending
withdrawals) -> sent -> confirmed (out of the hot wallet, the fee booked).
Rejected unlocks the funds. A failed send stays failed, funds untouched,
until an operator retries it (the same signed bytes again) or cancels it
(the amount returns to the player). Approvals and rejections record who and
why. The requester never approves, and nobody approves twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.ids import natural_id
from domain.kernel.postings import (
    HOUSE_HOT_WALLET,
    HOUSE_NETWORK_FEES,
    HOUSE_PENDING_WITHDRAWALS,
    Leg,
    transfer,
)

PENDING_APPROVAL, QUEUED, SIGNED, SENT = "pending_approval", "queued", "signed", "sent"
CONFIRMED, REJECTED, FAILED, CANCELLED = "confirmed", "rejected", "failed", "cancelled"
STATUSES = (PENDING_APPROVAL, QUEUED, SIGNED, SENT, CONFIRMED, REJECTED, FAILED,
            CANCELLED)


class Withdrawal(LedgerAggregate):
    class Confirmed(LedgerAggregate.Event):
        """Mined with enough confirmations: the value sent and the fee charged to the
        player leave pending withdrawals (the value for the hot wallet)."""

        currency: str
        sent: Decimal
        fee_charged: Decimal
        entry_type = "WITHDRAWAL_SENT"

        @property
        def reference(self) -> str:
            return f"withdrawal:{self.originator_id}"

        def legs(self) -> list[Leg]:
            return (transfer(HOUSE_PENDING_WITHDRAWALS, HOUSE_HOT_WALLET, self.sent)
                    + transfer(HOUSE_PENDING_WITHDRAWALS, HOUSE_NETWORK_FEES,
                               self.fee_charged))

    class FeePaid(Confirmed):
        """The fee the chain took from the hot wallet, in the chain's native coin."""

        entry_type = "NETWORK_FEE"

        def legs(self) -> list[Leg]:
            return transfer(HOUSE_NETWORK_FEES, HOUSE_HOT_WALLET, self.fee_charged)

    @staticmethod
    def create_id(player_id: str, request_id: str, **_: Any) -> UUID:
        return withdrawal_key(player_id, request_id)

    @event("Requested")
    def __init__(self, player_id: str, request_id: str, currency: str, chain: str,
                 amount: Decimal, destination: str, usd: Decimal | None,
                 aml_score: int, approvals_needed: int, requested_by: str):
        self.player_id = player_id
        self.currency = currency
        self.chain = chain
        self.amount = amount
        self.destination = destination
        self.usd = usd
        self.requested_by = requested_by
        self.approvals_needed = approvals_needed
        self.approvals: list[str] = []
        self.status = PENDING_APPROVAL if approvals_needed else QUEUED
        self.signed: dict[str, Any] | None = None
        self.deferred = ""
        self.reverted = False
        self.nonce: int | None = None

    @property
    def lock_id(self) -> str:
        return f"withdrawal:{self.id}"

    # Approval

    def approve(self, actor: str, reason: str) -> None:
        self._check_status(PENDING_APPROVAL)
        check_reason(reason)
        if actor in (self.requested_by, self.player_id):
            raise Conflict("the requester cannot approve their own withdrawal")
        if actor in self.approvals:
            raise Conflict(f"{actor} has already approved this withdrawal")
        self._approved(actor, reason)

    def reject(self, actor: str, reason: str) -> None:
        self._check_status(PENDING_APPROVAL, QUEUED)
        check_reason(reason)
        if self.nonce is not None:
            raise Conflict("the worker is sending this withdrawal (its nonce is "
                           "reserved); it can no longer be rejected")
        self._rejected(actor, reason)

    # Sending

    def defer(self, reason: str) -> None:
        """Left queued (the hot wallet is short); recorded once per reason."""
        self._check_status(QUEUED)
        if reason != self.deferred:
            self._deferred(reason)

    def reserve_nonce(self, nonce: int) -> None:
        """The hot wallet's nonce for it: from now on it is being sent."""
        self._check_status(QUEUED)
        if self.nonce is None:
            self._nonce_reserved(nonce)

    def sign(self, tx_hash: str, raw: str, nonce: int | None, fee: Decimal,
             fee_currency: str, sent: Decimal, fee_charged: Decimal) -> None:
        self._check_status(QUEUED)
        self._signed({"txHash": tx_hash, "raw": raw, "nonce": nonce, "fee": fee,
                      "feeCurrency": fee_currency, "sent": sent,
                      "feeCharged": fee_charged})

    def broadcast(self) -> None:
        if self.status == SIGNED:
            self._broadcast()

    def fail(self, error: str) -> None:
        self._check_status(SIGNED, SENT)
        self._failed(error)

    def confirm(self, block_height: int, block_hash: str, fee_paid: Decimal) -> None:
        self._check_status(SENT)
        signed = self.signed or {}
        self.trigger_event(self.Confirmed, currency=self.currency, sent=signed["sent"],
                           fee_charged=signed["feeCharged"])
        self.trigger_event(self.FeePaid, currency=signed["feeCurrency"], sent=Decimal(0),
                           fee_charged=fee_paid)
        self._mined(block_height, block_hash)

    def revert(self, fee_paid: Decimal) -> None:
        """Mined but reverted: nothing was sent, the fee was paid; it fails."""
        self._check_status(SENT)
        signed = self.signed or {}
        self.trigger_event(self.FeePaid, currency=signed["feeCurrency"], sent=Decimal(0),
                           fee_charged=fee_paid)
        self._reverted()

    def retry(self, actor: str, reason: str) -> None:
        self._check_status(FAILED)
        check_reason(reason)
        if self.reverted:
            raise Conflict("a reverted transaction cannot be sent again; cancel it")
        self._retried(actor, reason)

    def cancel(self, actor: str, reason: str) -> None:
        self._check_status(FAILED)
        check_reason(reason)
        self._cancelled(actor, reason)

    def _check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"withdrawal {self.id} is {self.status}, not "
                           f"{' or '.join(allowed)}")

    @event("Approved")
    def _approved(self, actor: str, reason: str) -> None:
        self.approvals.append(actor)
        if len(self.approvals) >= self.approvals_needed:
            self.status = QUEUED

    @event("Rejected")
    def _rejected(self, actor: str, reason: str) -> None:
        self.status = REJECTED

    @event("Deferred")
    def _deferred(self, reason: str) -> None:
        self.deferred = reason

    @event("NonceReserved")
    def _nonce_reserved(self, nonce: int) -> None:
        self.nonce = nonce

    @event("Signed")
    def _signed(self, transaction: dict[str, Any]) -> None:
        self.signed = transaction
        self.status = SIGNED

    @event("Broadcast")
    def _broadcast(self) -> None:
        self.status = SENT

    @event("SendFailed")
    def _failed(self, error: str) -> None:
        self.status = FAILED

    @event("Reverted")
    def _reverted(self) -> None:
        self.status = FAILED
        self.reverted = True

    @event("Mined")
    def _mined(self, block_height: int, block_hash: str) -> None:
        self.status = CONFIRMED

    @event("Retried")
    def _retried(self, actor: str, reason: str) -> None:
        self.status = SIGNED

    @event("Cancelled")
    def _cancelled(self, actor: str, reason: str) -> None:
        self.status = CANCELLED


def withdrawal_key(player_id: str, request_id: str) -> UUID:
    return natural_id("withdrawal", player_id, request_id)


def check_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("reason must not be empty", field="reason")
