"""What the sweeper records: a top-up's nonce and transaction, the sweep
transaction, its outcome. Each is keyed by (chain, deposit address) and the
sweep's number, so a repeat (two sweepers, a restart) changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.cashier.sweeps.model import (
    DepositSweeps,
    SweepsRecord,
    SweepTopUp,
    sweep_record,
    sweeps_key,
    top_up_marker,
)
from domain.cashier.treasury.hot_wallet import HotWallet, hot_wallet_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.clock import clock


@dataclass(frozen=True)
class SweepStep:
    kind: ClassVar[str] = "sweep-step"
    request_id: ClassVar[None] = None
    chain: str
    address: str
    index: int
    sweep: int

    @property
    def partition(self) -> str:
        return f"sweep:{self.chain}:{self.address}"

    def sweeps(self, uow: UnitOfWork) -> DepositSweeps:
        return (uow.find(sweeps_key(self.chain, self.address))
                or uow.add(DepositSweeps(self.chain, self.address, self.index)))

    def decide(self, uow: UnitOfWork) -> SweepsRecord:
        sweeps = self.sweeps(uow)
        self.apply(uow, sweeps)
        return sweep_record(sweeps)

    def apply(self, uow: UnitOfWork, sweeps: DepositSweeps) -> None:
        raise NotImplementedError


def top_up_key(chain: str, address: str, sweep: int) -> str:
    return f"sweep:{chain}:{address}:{sweep}:top-up"


@dataclass(frozen=True)
class ReserveTopUpNonce(SweepStep):
    """The hot wallet's nonce for a token sweep's gas top-up, from the same one
    sequence as withdrawals (domain/cashier/treasury/hot_wallet.py)."""

    kind: ClassVar[str] = "sweep-top-up-nonce"
    chain_next: int = 0

    @property
    def partition(self) -> str:
        return f"hot-wallet:{self.chain}"

    def decide(self, uow: UnitOfWork) -> TopUpNonce:  # type: ignore[override]
        hot = uow.find(hot_wallet_key(self.chain)) or uow.add(HotWallet(self.chain))
        nonce = hot.reserve(top_up_key(self.chain, self.address, self.sweep),
                            self.chain_next)
        return TopUpNonce(self.chain, self.address, self.sweep, nonce)


@command_result("sweep-top-up-nonce")
@dataclass(frozen=True)
class TopUpNonce:
    """The hot wallet's nonce reserved for a sweep's gas top-up."""

    chain: str
    address: str
    sweep: int
    nonce: int


@dataclass(frozen=True)
class RecordTopUp(SweepStep):
    """A token sweep starts: the hot wallet's gas for the address, signed and
    recorded before it is broadcast."""

    kind: ClassVar[str] = "sweep-top-up"
    currency: str = ""
    amount: Decimal = Decimal(0)  # the native coin sent to the address
    tx_hash: str = ""
    raw: str = ""
    nonce: int | None = None
    fee: Decimal = Decimal(0)

    def apply(self, uow: UnitOfWork, sweeps: DepositSweeps) -> None:
        before = sweeps.current
        sweeps.top_up(self.sweep, self.currency, {
            "txHash": self.tx_hash, "raw": self.raw, "nonce": self.nonce,
            "fee": self.fee, "amount": self.amount})
        if sweeps.current is not before and uow.find(
                top_up_marker(self.chain, self.tx_hash)) is None:
            uow.add(SweepTopUp(self.chain, self.tx_hash, self.address, self.sweep))


@dataclass(frozen=True)
class RecordSweepSigned(SweepStep):
    """The sweep transaction (deposit address -> hot wallet), recorded before
    it is broadcast."""

    kind: ClassVar[str] = "sweep-signed"
    currency: str = ""
    amount: Decimal = Decimal(0)
    tx_hash: str = ""
    raw: str = ""
    nonce: int | None = None
    fee: Decimal = Decimal(0)
    fee_currency: str = ""

    def apply(self, uow: UnitOfWork, sweeps: DepositSweeps) -> None:
        sweeps.sign(self.sweep, self.currency, uow.currencies.check(
            self.amount, self.currency), {
            "txHash": self.tx_hash, "raw": self.raw, "nonce": self.nonce,
            "fee": self.fee, "feeCurrency": self.fee_currency})


@dataclass(frozen=True)
class RecordSweepMined(SweepStep):
    """Mined with the chain's confirmations: the gas paid is booked."""

    kind: ClassVar[str] = "sweep-mined"
    succeeded: bool = True
    block_height: int = 0
    block_hash: str = ""
    fee_currency: str = ""
    fee_paid: Decimal = Decimal(0)
    top_up_fee_paid: Decimal = Decimal(0)

    def apply(self, uow: UnitOfWork, sweeps: DepositSweeps) -> None:
        sweeps.mined(self.sweep, succeeded=self.succeeded, block_height=self.block_height,
                     block_hash=self.block_hash, fee_currency=self.fee_currency,
                     fee_paid=self.fee_paid, top_up_fee_paid=self.top_up_fee_paid,
                     at=clock.now().isoformat())


@dataclass(frozen=True)
class RecordSweepFailed(SweepStep):
    kind: ClassVar[str] = "sweep-failed"
    error: str = ""

    def apply(self, uow: UnitOfWork, sweeps: DepositSweeps) -> None:
        sweeps.fail(self.sweep, self.error, clock.now().isoformat())
