"""A failed send unlocks nothing until an operator resolves it: retry broadcasts
the same recorded bytes; cancel returns the amount. The worker's logic with a
sender whose node refuses (the real adapter's refusals are tested on eth-tester
in tests/integration/test_chain_evm_sender.py)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from chain.errors import TransactionRejected
from chain.interfaces import SignedTransfer
from domain.cashier.rules import CashierRules, ChainRules
from domain.kernel.errors import Conflict
from domain.ledger import Ledger
from domain.kernel.money import Currencies
from domain.rules import Rules
from domain.wallet.model import Wallet
from domain.cashier.treasury.hot_wallet import ReserveNonce
from domain.cashier.withdrawals.commands import RejectWithdrawal, RequestWithdrawal
from domain.cashier.withdrawals.send import CancelWithdrawal, RetryWithdrawal
from schedulers.cashier.withdrawal_worker import WithdrawalWorker

D = Decimal


class RefusingSender:
    """A hot wallet whose node refuses the first `refusals` broadcasts."""

    chain = "ethereum"

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.broadcasts: list[str] = []

    def balance(self, currency: str) -> Decimal:
        return D(100)

    def fee(self, currency: str) -> Decimal:
        return D("0.001")

    def next_nonce(self) -> int:
        return 0

    def sign(self, currency, destination, amount, nonce) -> SignedTransfer:
        return SignedTransfer(f"0x{nonce:064x}", "0xraw", nonce, D("0.001"), "ETH")

    def broadcast(self, signed: SignedTransfer) -> str:
        self.broadcasts.append(signed.raw)
        if self.refusals:
            self.refusals -= 1
            raise TransactionRejected("fee too low")
        return signed.tx_hash

    def receipt(self, tx_hash: str):
        return None


@pytest.fixture
def ledger():
    rules = Rules(currencies=Currencies({"ETH": 18}), usd_rates={"ETH": D(3000)},
                  cashier=CashierRules(
                      chains=(ChainRules("ethereum", ("ETH",), 12),)))
    built = Ledger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, rules)
    wallet = Wallet(player_id="p1", currency="ETH", request_id="open", reference="")
    wallet.credit(D(2), balance="cash", tag="DEPOSIT", request_id="d", reference="d")
    built.save(wallet)
    yield built
    built.close()


def failed_withdrawal(ledger, sender):
    record = ledger.execute(RequestWithdrawal("w-1", "p1", "ETH", D(1), "0xdest", 0,
                                              "p1")).result
    worker = WithdrawalWorker(ledger, sender, lambda chain, status: [record.withdrawal_id])
    worker.step()
    withdrawal = ledger.repository.get(UUID(record.withdrawal_id))
    return worker, withdrawal


def test_a_refused_broadcast_fails_the_withdrawal_and_moves_no_funds_back(ledger):
    _, withdrawal = failed_withdrawal(ledger, RefusingSender(refusals=5))
    assert withdrawal.status == "failed"
    wallet = ledger.wallet("p1", "ETH")
    assert (wallet.cash, wallet.locked) == (D(1), D(0))  # 1 is in pending withdrawals


def test_retry_broadcasts_the_same_recorded_bytes(ledger):
    sender = RefusingSender(refusals=1)
    worker, withdrawal = failed_withdrawal(ledger, sender)
    ledger.execute(RetryWithdrawal(withdrawal.id, actor="ops", reason="fee market calm"))
    worker.step()
    assert ledger.repository.get(withdrawal.id).status == "sent"
    assert sender.broadcasts == ["0xraw", "0xraw"]


def test_cancel_returns_the_amount_and_cannot_happen_twice(ledger):
    _, withdrawal = failed_withdrawal(ledger, RefusingSender(refusals=5))
    ledger.execute(CancelWithdrawal(withdrawal.id, actor="ops", reason="nonce replaced"))
    assert ledger.wallet("p1", "ETH").available == D(2)
    with pytest.raises(Conflict):
        ledger.execute(CancelWithdrawal(withdrawal.id, actor="ops", reason="again"))


def test_a_withdrawal_being_sent_can_no_longer_be_rejected(ledger):
    record = ledger.execute(RequestWithdrawal("w-1", "p1", "ETH", D(1), "0xdest", 0,
                                              "p1")).result
    ledger.execute(ReserveNonce("ethereum", record.withdrawal_id, chain_next=0))
    with pytest.raises(Conflict, match="nonce is reserved"):
        ledger.execute(RejectWithdrawal(UUID(record.withdrawal_id), "fin-alice", "too late"))
    assert ledger.wallet("p1", "ETH").locked == D(1)
