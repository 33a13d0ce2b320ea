"""BNB Smart Chain through the EVM adapters, on eth-tester and on an anvil node
(where the clients are built from configuration as in production), on both
ledger backends: BNB and a BEP-20 USDT credited at the 15th confirmation, a
reorg, withdrawals with legacy gas pricing, and a reconciliation to zero."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from eth_account import Account

from domain.cashier.deposits.model import deposit_key
from domain.cashier.withdrawals.records import withdrawal_record
from tests.cashier_chains import bsc_services, cash, reconciled, record_hot_capital
from tests.factories import credit

D = Decimal
DESTINATION = Account.create().address


@pytest.fixture
def cashier(settings, tmp_path, local_evm):
    services = bsc_services(settings, tmp_path, local_evm)
    services.cashier.watch()
    yield services
    services.close()


def status(services, tx_hash: str, index: int = 0) -> str:
    return services.ledger.repository.get(deposit_key("bsc", tx_hash, index)).status


def native(currency: str) -> str:
    return "ETH" if currency == "BNB" else currency  # the local chain's faucet coin


def test_bsc_is_configured_with_its_chain_id_and_legacy_gas(cashier, local_evm):
    sender = cashier.chains["bsc"].sender
    assert sender.evm.chain_id == local_evm.w3.eth.chain_id
    assert sender.evm.native_currency == "BNB" and sender.evm.eip1559 is False
    assert cashier.ledger.rules.cashier.chain("bsc").confirmations == 15


@pytest.mark.parametrize("currency,amount", [("BNB", "1.5"), ("USDT", "250")])
def test_a_deposit_is_credited_once_at_its_fifteenth_confirmation(cashier, local_evm,
                                                                  currency, amount):
    address = cashier.cashier.deposit_address("p1", currency).result.address
    tx = local_evm.pay(address, D(amount), native(currency))
    local_evm.mine(13)  # 14 confirmations
    cashier.cashier.watch()
    index = 0 if currency == "BNB" else local_evm.w3.eth.get_transaction_receipt(
        tx)["logs"][0]["logIndex"]
    assert status(cashier, tx, index) == "pending" and cash(cashier, "p1", currency) == 0
    local_evm.mine(1)
    cashier.cashier.watch()
    cashier.cashier.watch()
    assert status(cashier, tx, index) == "credited"
    assert cash(cashier, "p1", currency) == D(amount)


def test_a_deposit_reorged_out_is_never_credited(cashier, local_evm):
    address = cashier.cashier.deposit_address("p1", "BNB").result.address
    fork = local_evm.snapshot()
    tx = local_evm.pay(address, D("2"))
    local_evm.mine(5)
    cashier.cashier.watch()
    assert status(cashier, tx) == "pending"
    local_evm.revert(fork)
    local_evm.mine(30)
    [summary] = cashier.cashier.watch()
    assert summary["orphaned"] == 1 and status(cashier, tx) == "orphaned"
    assert cash(cashier, "p1", "BNB") == 0


@pytest.mark.parametrize("currency,amount", [("BNB", "1"), ("USDT", "100")])
def test_a_withdrawal_is_sent_and_confirmed_and_the_books_reconcile(cashier, local_evm,
                                                                     currency, amount):
    address = cashier.cashier.deposit_address("p1", currency).result.address
    local_evm.pay(address, D("3") if currency == "BNB" else D("500"), native(currency))
    local_evm.mine(14)
    cashier.cashier.watch()
    capital = cashier.chains["bsc"].sender.balance(currency)
    record_hot_capital(cashier, "bsc")
    request = cashier.cashier.request_withdrawal(
        request_id="w-1", player_id="p1", currency=currency, amount=D(amount),
        destination=DESTINATION, requested_by="p1").result
    cashier.cashier.send()
    local_evm.mine(14)
    cashier.cashier.send()
    record = withdrawal_record(cashier.ledger.repository.get(UUID(request.withdrawal_id)))
    assert record.status == "confirmed"
    assert cashier.chains["bsc"].sender.balance_of(DESTINATION, currency) == record.sent
    assert capital > 0
    assert reconciled(cashier) == {"BNB": (D(0), "balanced"), "USDT": (D(0), "balanced")}
