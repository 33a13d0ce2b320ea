"""The withdrawal worker of one chain: sends approved withdrawals from the hot wallet.

For each queued withdrawal, oldest first: check the hot wallet can pay
(else it stays queued and the shortfall is recorded as an alert), reserve the
next nonce of the hot wallet's one sequence, sign, RECORD the signed
transaction (the player's locked cash moves to pending withdrawals), and only
then broadcast. Signed but not broadcast (a crash, or an operator's retry):
broadcast the recorded bytes again. Sent: confirm with the receipt once it
has the chain's confirmations. On the native coin the fee is deducted from
the amount (the destination receives amount - fee); a token withdrawal is
charged the fee's value in the token (domain/cashier/withdrawals/fees.py) while the
hot wallet pays the gas in the native coin. A refused broadcast fails the withdrawal until
an operator resolves it; its funds stay where they are. A failure names its
withdrawal, so a repeated one stops the worker there (schedulers/jobs/healing.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from chain.errors import InsufficientHotFunds, TransactionRejected
from chain.interfaces import Sender, SignedTransfer
from domain.cashier.treasury.hot_wallet import ReserveNonce
from domain.ledger import Ledger
from domain.cashier.withdrawals.model import QUEUED, SENT, SIGNED, Withdrawal
from domain.cashier.withdrawals.fees import fee_charged, rates_in_force
from domain.cashier.withdrawals.send import (
    DeferWithdrawal,
    RecordBroadcast,
    RecordMined,
    RecordSendFailed,
    RecordSigned,
)
from schedulers.jobs.healing import on_item

log = logging.getLogger(__name__)

Listing = Callable[[str, str], list[str]]  # (chain, status) -> withdrawal ids, oldest first


class WithdrawalWorker:
    def __init__(self, ledger: Ledger, sender: Sender, listing: Listing):
        self.ledger = ledger
        self.sender = sender
        self.chain = sender.chain
        self.listing = listing
        rules = ledger.rules.cashier.chain(self.chain)
        self.native = rules.currencies[0]
        self.required = rules.confirmations

    def step(self) -> dict[str, Any]:
        done = {"signed": 0, "deferred": 0, "broadcast": 0, "confirmed": 0}
        for withdrawal in self._with_status(QUEUED):
            with on_item(f"withdrawal {withdrawal.id}"):
                if not self._sign(withdrawal, done):
                    break  # a signature refused for funds: later nonces would wait on it
        # Those sent before this step: one broadcast just now has no receipt yet.
        sent = self._with_status(SENT)
        for withdrawal in self._with_status(SIGNED):
            with on_item(f"withdrawal {withdrawal.id}"):
                self._broadcast(withdrawal, done)
        for withdrawal in sent:
            with on_item(f"withdrawal {withdrawal.id}"):
                self._confirm(withdrawal, done)
        return {"chain": self.chain, **done}

    def _with_status(self, status: str) -> list[Withdrawal]:
        found = (self.ledger.repository.get(UUID(i)) for i in self.listing(self.chain, status))
        return [w for w in found if w.status == status]

    def _sign(self, w: Withdrawal, done: dict[str, int]) -> bool:
        fee = self.sender.fee(w.currency)
        native = w.currency == self.native
        charged = fee_charged(w.currency, self.native, fee, rates_in_force(self.ledger),
                              self.ledger.currencies.get(w.currency).quantum)
        sent = w.amount - charged
        short = self._shortfall(w, fee, native)
        if short or sent <= 0:
            self._defer(w, short or f"the amount does not cover the fee {fee}", done)
            return True
        nonce = self.ledger.execute(ReserveNonce(
            self.chain, str(w.id), self.sender.next_nonce())).result.nonce
        try:
            signed = self.sender.sign(w.currency, w.destination, sent, nonce)
        except InsufficientHotFunds as error:
            self._defer(w, f"hot wallet short: {error}", done)
            return False
        self.ledger.execute(RecordSigned(
            w.id, tx_hash=signed.tx_hash, raw=signed.raw, nonce=signed.nonce,
            fee=signed.fee, fee_currency=signed.fee_currency, sent=sent,
            fee_charged=charged))
        done["signed"] += 1
        self._broadcast(self.ledger.repository.get(w.id), done)
        return True

    def _shortfall(self, w: Withdrawal, fee: Decimal, native: bool) -> str:
        """Why the hot wallet cannot pay this withdrawal now ('' if it can)."""
        need = {w.currency: w.amount} if native else {w.currency: w.amount,
                                                      self.native: fee}
        for currency, amount in need.items():
            balance = self.sender.balance(currency)
            if balance < amount:
                return f"hot wallet short: {balance} {currency}, needs {amount}"
        return ""

    def _defer(self, w: Withdrawal, reason: str, done: dict[str, int]) -> None:
        log.warning("withdrawal %s stays queued: %s", w.id, reason)
        self.ledger.execute(DeferWithdrawal(w.id, reason=reason))
        done["deferred"] += 1

    def _broadcast(self, w: Withdrawal, done: dict[str, int]) -> None:
        try:
            self.sender.broadcast(recorded(w))
        except TransactionRejected as error:
            log.error("withdrawal %s: broadcast refused: %s", w.id, error)
            self.ledger.execute(RecordSendFailed(w.id, error=str(error)))
            return
        self.ledger.execute(RecordBroadcast(w.id))
        done["broadcast"] += 1

    def _confirm(self, w: Withdrawal, done: dict[str, int]) -> None:
        receipt = self.sender.receipt((w.signed or {})["txHash"])
        if receipt is None:
            # Not mined, or mined on a branch a reorg dropped: the same recorded
            # bytes go out again (a node that still holds them ignores the repeat).
            self.sender.broadcast(recorded(w))
            return
        if self.sender.tip() - receipt.block_height + 1 < self.required:
            return
        self.ledger.execute(RecordMined(
            w.id, succeeded=receipt.succeeded, block_height=receipt.block_height,
            block_hash=receipt.block_hash, fee_paid=receipt.fee_paid))
        done["confirmed"] += 1


def recorded(w: Withdrawal) -> SignedTransfer:
    """The signed transaction as the withdrawal recorded it before the first broadcast."""
    s = w.signed or {}
    return SignedTransfer(s["txHash"], s["raw"], s["nonce"], Decimal(s["fee"]),
                          s["feeCurrency"])
