"""Reconciliation and treasury health on a real local EVM chain, both backends.

The hot wallet starts empty here; house money sent to it is recorded as a
funding, so the books expect it. Deposits stay on the players' addresses
(not swept), which count as hot.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from eth_account import Account

from api.observability.collectors import LedgerCollector
from domain.cashier.treasury.funding import RecordFunding
from domain.cashier.treasury.reconciliation import ReconciliationRecord
from domain.commanding.unit_of_work import UnitOfWork
from tests.cashier_chains import evm_services

D = Decimal


@pytest.fixture
def cashier(settings, tmp_path, local_evm):
    services = evm_services(settings, tmp_path, local_evm, hot_eth="0")
    services.cashier.watch()
    yield services
    services.close()


def deposit(services, local_evm, player: str, amount: str, currency: str = "ETH") -> None:
    address = services.cashier.deposit_address(player, currency).result.address
    local_evm.pay(address, D(amount), currency)
    local_evm.mine(11)
    services.cashier.watch()


def fund_hot_wallet(services, local_evm, amount: str) -> None:
    tx = local_evm.pay(services.chains["ethereum"].sender.hot_address(), D(amount))
    services.ledger.execute(RecordFunding("ETH", D(amount), tx, "fin-alice", "capital"))


def reconcile(services, run: str = "run-1") -> ReconciliationRecord:
    return services.cashier.reconciler().run(run, ["ETH"])["ETH"]


def test_balanced_books_report_no_discrepancy(cashier, local_evm):
    deposit(cashier, local_evm, "p1", "1.5")
    deposit(cashier, local_evm, "p2", "0.25")
    report = reconcile(cashier)
    assert (report.discrepancy, report.verdict) == (D(0), "balanced")
    assert report.inputs["depositAddresses"] == D("1.75")
    assert report.inputs["userBalances"] == D("1.75")


def test_a_full_withdrawal_cycle_keeps_the_books_balanced(cashier, local_evm):
    fund_hot_wallet(cashier, local_evm, "10")
    deposit(cashier, local_evm, "p1", "2")
    cashier.cashier.request_withdrawal(
        request_id="w-1", player_id="p1", currency="ETH", amount=D(1),
        destination=Account.create().address, requested_by="p1")
    assert reconcile(cashier, "queued").verdict == "balanced"
    cashier.cashier.send()
    local_evm.mine(12)
    cashier.cashier.send()
    report = reconcile(cashier, "confirmed")
    assert (report.discrepancy, report.verdict) == (D(0), "balanced")


def test_a_coin_sent_to_the_hot_wallet_outside_the_ledger_is_reported_exactly(
        cashier, local_evm):
    deposit(cashier, local_evm, "p1", "1")
    local_evm.pay(cashier.chains["ethereum"].sender.hot_address(), D("0.123456789"))
    report = reconcile(cashier)
    assert (report.discrepancy, report.verdict) == (D("0.123456789"), "discrepancy")
    cashier.projections.catch_up(["reconciliation"])
    [listed] = cashier.reconciliations.rows(currency="ETH")
    assert listed["discrepancy"] == D("0.123456789")


@dataclass(frozen=True)
class CreditWithoutCoin:
    """A bug's deposit credit: the ledger credits a player, no coin ever came."""

    kind: ClassVar[str] = "test-credit-without-coin"
    request_id: ClassVar[None] = None
    partition: ClassVar[str] = "p1"

    def decide(self, uow: UnitOfWork) -> dict[str, Any]:
        uow.wallet("p1", "ETH", "bug").credit(D("0.5"), balance="cash", tag="DEPOSIT",
                                              request_id="bug", reference="deposit:none")
        return {}


def test_a_ledger_credit_with_no_coin_is_reported_exactly(cashier, local_evm):
    deposit(cashier, local_evm, "p1", "1")
    cashier.ledger.execute(CreditWithoutCoin())
    report = reconcile(cashier)
    assert (report.discrepancy, report.verdict) == (D("-0.5"), "discrepancy")


def test_the_treasury_check_records_a_low_hot_wallet_and_the_refill(cashier, local_evm):
    deposit(cashier, local_evm, "p1", "100")
    fund_hot_wallet(cashier, local_evm, "4")
    result = cashier.cashier.treasury().run("2026-01-15")["ETH"]
    assert (result.status, result.ratio) == ("low", D("0.04"))
    assert result.refill == D(11)  # 15% of 100, less the 4 held
    fund_hot_wallet(cashier, local_evm, "12")
    assert cashier.cashier.treasury().run("later")["ETH"].status == "ok"
    ratio, alert, target, _ = LedgerCollector(cashier).treasury()  # what /metrics shows
    assert [m.samples[0].value for m in (ratio, alert, target)] == [
        0.16, 0.05, 0.15]  # float-ok: Prometheus samples
