"""DepositSweeps: the sweeps of one deposit address into the hot wallet.

One aggregate per (chain, deposit address), with at most one sweep in flight
(the address's own nonces follow one another). A sweep is recorded BEFORE
anything is broadcast, as withdrawals are, so a sweeper restarted mid-way
broadcasts the same bytes again and never moves coins twice:

    [topping_up: the hot wallet's gas for a token sweep recorded]
      -> sent (the sweep transaction recorded) -> confirmed | reverted
    failed: a broadcast refused; the sweep is closed and logged for an operator.

The coins moved stay in the ledger's `house:hot_wallet` account (the books see
deposit addresses and the hot wallet as one holding); what the chain took is
booked on confirmation: the gas of the top-up (paid by the hot wallet) and of
the sweep (paid from the gas on the deposit address), `house:network_fees` ->
`house:hot_wallet`, in the chain's native coin. The gas left on the address
stays there and is still counted by reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id
from domain.kernel.postings import HOUSE_HOT_WALLET, HOUSE_NETWORK_FEES, Leg, transfer

TOPPING_UP, SENT = "topping_up", "sent"
CONFIRMED, REVERTED, FAILED = "confirmed", "reverted", "failed"


class DepositSweeps(LedgerAggregate):
    class FeePaid(LedgerAggregate.Event):
        """The gas the chain took for a sweep (its top-up and the sweep itself)."""

        sweep: int
        currency: str
        fee: Decimal
        entry_type = "SWEEP_FEE"

        @property
        def reference(self) -> str:
            return f"sweep:{self.originator_id}:{self.sweep}"

        def legs(self) -> list[Leg]:
            return transfer(HOUSE_NETWORK_FEES, HOUSE_HOT_WALLET, self.fee)

    @staticmethod
    def create_id(chain: str, address: str, **_: Any) -> UUID:
        return sweeps_key(chain, address)

    @event("Opened")
    def __init__(self, chain: str, address: str, index: int):
        self.chain = chain
        self.address = address
        self.index = index
        self.count = 0  # sweeps started
        self.current: dict[str, Any] | None = None
        self.last: dict[str, str] = {}  # currency -> ISO time of the last confirmed sweep
        self.swept: dict[str, Decimal] = {}  # currency -> total confirmed
        self.history: list[dict[str, Any]] = []  # closed sweeps, newest last

    @property
    def next_sweep(self) -> int:
        return self.count + 1

    def _check(self, sweep: int, *statuses: str) -> bool:
        """True to apply; False for a repeat of what is already recorded."""
        current = self.current or {}
        if current.get("sweep") == sweep and current.get("status") in statuses:
            return True
        if sweep <= self.count:
            return False
        raise Conflict(f"sweep {sweep} of {self.address} is not in progress")

    def top_up(self, sweep: int, currency: str, tx: dict[str, Any]) -> None:
        if self.current is None and sweep == self.next_sweep:
            self._topping_up(sweep, currency, tx)
        elif not self._check(sweep, TOPPING_UP, SENT):
            return

    @event("TopUpSigned")
    def _topping_up(self, sweep: int, currency: str, tx: dict[str, Any]) -> None:
        self.count = sweep
        self.current = {"sweep": sweep, "currency": currency, "status": TOPPING_UP,
                        "topUp": tx, "tx": None}

    def sign(self, sweep: int, currency: str, amount: Decimal, tx: dict[str, Any]) -> None:
        if self.current is None and sweep == self.next_sweep:
            self._signed(sweep, currency, amount, tx)
        elif self._check(sweep, TOPPING_UP):
            self._signed(sweep, currency, amount, tx)

    @event("Signed")
    def _signed(self, sweep: int, currency: str, amount: Decimal, tx: dict[str, Any]) -> None:
        top_up = (self.current or {}).get("topUp")
        self.count = sweep
        self.current = {"sweep": sweep, "currency": currency, "status": SENT,
                        "topUp": top_up, "tx": tx, "amount": amount}

    def mined(self, sweep: int, *, succeeded: bool, block_height: int, block_hash: str,
              fee_currency: str, fee_paid: Decimal, top_up_fee_paid: Decimal,
              at: str) -> None:
        if not self._check(sweep, SENT):
            return
        self.trigger_event(self.FeePaid, sweep=sweep, currency=fee_currency,
                           fee=fee_paid + top_up_fee_paid)
        self._mined(sweep, succeeded, block_height, block_hash, fee_paid,
                    top_up_fee_paid, at)

    @event("Mined")
    def _mined(self, sweep: int, succeeded: bool, block_height: int, block_hash: str,
               fee_paid: Decimal, top_up_fee_paid: Decimal, at: str) -> None:
        current = dict(self.current or {})
        current |= {"status": CONFIRMED if succeeded else REVERTED,
                    "blockHeight": block_height, "blockHash": block_hash,
                    "feePaid": fee_paid, "topUpFeePaid": top_up_fee_paid, "at": at}
        if succeeded:
            currency = current["currency"]
            self.last[currency] = at
            self.swept[currency] = self.swept.get(currency, Decimal(0)) + current["amount"]
        self.history.append(current)
        self.current = None

    def fail(self, sweep: int, error: str, at: str) -> None:
        if self._check(sweep, TOPPING_UP, SENT):
            self._failed(sweep, error, at)

    @event("Failed")
    def _failed(self, sweep: int, error: str, at: str) -> None:
        self.history.append(dict(self.current or {}) | {"status": FAILED,
                                                         "error": error, "at": at})
        self.current = None


class SweepTopUp(LedgerAggregate):
    """Marks a top-up transaction (hot wallet -> deposit address) so the deposit
    watcher never takes the house's own gas for a player's deposit."""

    @staticmethod
    def create_id(chain: str, tx_hash: str, **_: Any) -> UUID:
        return top_up_marker(chain, tx_hash)

    @event("Recorded")
    def __init__(self, chain: str, tx_hash: str, address: str, sweep: int):
        self.chain = chain
        self.tx_hash = tx_hash
        self.address = address
        self.sweep = sweep


def top_up_marker(chain: str, tx_hash: str) -> UUID:
    return natural_id("sweep-top-up", chain, tx_hash.lower())


def sweeps_key(chain: str, address: str) -> UUID:
    return natural_id("deposit-sweeps", chain, address)


@command_result("deposit-sweeps")
@dataclass(frozen=True)
class SweepsRecord:
    """A deposit address's sweeps: how many started, the one in flight and the
    closed ones (each as its events recorded it), and the total swept per currency."""

    chain: str
    address: str
    index: int
    count: int
    current: dict[str, Any] | None
    swept: dict[str, Decimal]
    history: tuple[dict[str, Any], ...]


def sweep_record(sweeps: DepositSweeps) -> SweepsRecord:
    return SweepsRecord(sweeps.chain, sweeps.address, sweeps.index, sweeps.count,
                        sweeps.current, dict(sweeps.swept), tuple(sweeps.history))
