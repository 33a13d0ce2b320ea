"""The sweeper of one chain: moves deposits from the players' addresses into the
hot wallet, per currency on a threshold or a schedule (domain/cashier/sweeps/).

Each step walks the chain's deposit addresses (the `AddressBook`, index order
= HD index). An address with a sweep in flight advances it; another is swept
when a rule is due (`SweepRule.due`), one currency at a time:

- the native coin: the address signs `balance - fee` to the hot wallet (the
  gas cap; what the chain does not take stays on the address);
- a token: if the address lacks the gas, the hot wallet first sends it (its
  nonce from the hot wallet's one sequence, recorded before broadcast); once
  that is mined, the address signs its whole token balance to the hot wallet.

Every transaction is recorded before it is broadcast and broadcast again
while it has no receipt on the best chain (a reorg or a dropped transaction
puts the same bytes back). Confirmed at the chain's confirmations: the gas
paid is booked. A broadcast refused closes the sweep as failed (logged).
The deposit addresses' keys (`signer(index)`) are the sweeper's alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import ROUND_UP, Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from chain.errors import InsufficientHotFunds, TransactionRejected
from chain.interfaces import Sender, SignedTransfer
from domain.cashier.deposits.addresses import address_book_key
from domain.cashier.sweeps.commands import (
    RecordSweepFailed,
    RecordSweepMined,
    RecordSweepSigned,
    RecordTopUp,
    ReserveTopUpNonce,
)
from domain.cashier.sweeps.model import SENT, TOPPING_UP, DepositSweeps, sweeps_key
from domain.cashier.sweeps.rules import SweepRule
from domain.kernel.clock import clock
from domain.ledger import Ledger
from schedulers.jobs.healing import on_item

log = logging.getLogger(__name__)

TOP_UP_MARGIN = Decimal("1.25")  # gas prices may rise before the sweep is signed


class Sweeper:
    def __init__(self, ledger: Ledger, hot: Sender, signer: Callable[[int], Sender],
                 rules: Mapping[str, SweepRule]):
        self.ledger = ledger
        self.hot = hot
        self.signer = signer
        self.rules = dict(rules)
        self.chain = hot.chain
        chain_rules = ledger.rules.cashier.chain(self.chain)
        self.native = chain_rules.currencies[0]
        self.required = chain_rules.confirmations
        self.quantum = ledger.currencies.get(self.native).quantum

    def step(self) -> dict[str, Any]:
        done = {"chain": self.chain, "topUps": 0, "signed": 0, "confirmed": 0,
                "failed": 0}
        try:
            book = self.ledger.repository.get(address_book_key(self.chain))
        except AggregateNotFoundError:
            return done
        now = clock.now()
        for index, address in enumerate(list(book.owners)):
            with on_item(f"sweep of {self.chain} {address}"):
                sweeps = self._sweeps(address)
                try:
                    if sweeps is not None and sweeps.current is not None:
                        self._advance(sweeps, done)
                    else:
                        self._start(address, index, sweeps, now, done)
                except InsufficientHotFunds as error:
                    log.warning("sweep of %s %s waits: %s", self.chain, address, error)
        return done

    def _sweeps(self, address: str) -> DepositSweeps | None:
        try:
            return self.ledger.repository.get(sweeps_key(self.chain, address))
        except AggregateNotFoundError:
            return None

    # Starting a sweep.

    def _start(self, address: str, index: int, sweeps: DepositSweeps | None,
               now: datetime, done: dict[str, Any]) -> None:
        number = sweeps.next_sweep if sweeps else 1
        for currency, rule in self.rules.items():
            balance = self.hot.balance_of(address, currency)
            last = sweeps.last.get(currency) if sweeps else None
            if not rule.due(balance, datetime.fromisoformat(last) if last else None, now):
                continue
            if currency == self.native:
                fee = self.signer(index).fee(currency)
                if balance - fee <= 0:
                    continue  # dust: the gas would cost more than it moves
                self._sign_sweep(address, index, number, currency, balance - fee, done)
                return
            gas = self.signer(index).fee(currency)
            has = self.hot.balance_of(address, self.native)
            if has >= gas:
                self._sign_sweep(address, index, number, currency, balance, done)
            else:
                self._top_up(address, index, number, currency, gas * TOP_UP_MARGIN - has,
                             done)
            return

    def _top_up(self, address: str, index: int, number: int, currency: str,
                amount: Decimal, done: dict[str, Any]) -> None:
        amount = amount.quantize(self.quantum, rounding=ROUND_UP)
        nonce = self.ledger.execute(ReserveTopUpNonce(
            self.chain, address, index, number, chain_next=self.hot.next_nonce())
        ).result.nonce
        signed = self.hot.sign(self.native, address, amount, nonce)
        self.ledger.execute(RecordTopUp(
            self.chain, address, index, number, currency=currency, amount=amount,
            tx_hash=signed.tx_hash, raw=signed.raw, nonce=signed.nonce, fee=signed.fee))
        done["topUps"] += 1
        self._send(self.hot, self._sweeps(address), "topUp", done)

    def _sign_sweep(self, address: str, index: int, number: int, currency: str,
                    amount: Decimal, done: dict[str, Any]) -> None:
        signer = self.signer(index)
        signed = signer.sign(currency, self.hot.hot_address(), amount,
                             signer.next_nonce())
        self.ledger.execute(RecordSweepSigned(
            self.chain, address, index, number, currency=currency, amount=amount,
            tx_hash=signed.tx_hash, raw=signed.raw, nonce=signed.nonce, fee=signed.fee,
            fee_currency=signed.fee_currency))
        done["signed"] += 1
        self._send(signer, self._sweeps(address), "tx", done)

    # A sweep in flight.

    def _advance(self, sweeps: DepositSweeps, done: dict[str, Any]) -> None:
        current = sweeps.current or {}
        if current["status"] == TOPPING_UP:
            if self._mined(self.hot, sweeps, "topUp", done) is None:
                return
            currency = current["currency"]
            balance = self.hot.balance_of(sweeps.address, currency)
            self._sign_sweep(sweeps.address, sweeps.index, current["sweep"], currency,
                             balance, done)
        elif current["status"] == SENT:
            signer = self.signer(sweeps.index)
            receipt = self._mined(signer, sweeps, "tx", done)
            if receipt is None or self.hot.tip() - receipt.block_height + 1 < self.required:
                return
            top_up_fee = Decimal(0)
            if current.get("topUp"):
                top_up = self._mined(self.hot, sweeps, "topUp", done)
                if top_up is None:
                    return
                top_up_fee = top_up.fee_paid
            self.ledger.execute(RecordSweepMined(
                self.chain, sweeps.address, sweeps.index, current["sweep"],
                succeeded=receipt.succeeded, block_height=receipt.block_height,
                block_hash=receipt.block_hash, fee_currency=self.native,
                fee_paid=receipt.fee_paid, top_up_fee_paid=top_up_fee))
            if not receipt.succeeded:
                log.error("sweep %s of %s %s reverted", current["sweep"], self.chain,
                          sweeps.address)
            done["confirmed"] += 1

    def _mined(self, sender: Sender, sweeps: DepositSweeps, which: str,
               done: dict[str, Any]):
        """The receipt of the recorded transaction on the best chain; without
        one, the same bytes are broadcast again (None)."""
        tx = (sweeps.current or {})[which]
        receipt = sender.receipt(tx["txHash"])
        if receipt is None:
            self._send(sender, sweeps, which, done)
        return receipt

    def _send(self, sender: Sender, sweeps: DepositSweeps | None, which: str,
              done: dict[str, Any]) -> None:
        assert sweeps is not None and sweeps.current is not None
        tx = sweeps.current[which]
        signed = SignedTransfer(tx["txHash"], tx["raw"], tx["nonce"], Decimal(tx["fee"]),
                                tx.get("feeCurrency", self.native))
        try:
            sender.broadcast(signed)
        except TransactionRejected as error:
            log.error("sweep %s of %s %s: broadcast refused: %s", sweeps.current["sweep"],
                      self.chain, sweeps.address, error)
            self.ledger.execute(RecordSweepFailed(
                self.chain, sweeps.address, sweeps.index, sweeps.current["sweep"],
                error=str(error)))
            done["failed"] += 1
