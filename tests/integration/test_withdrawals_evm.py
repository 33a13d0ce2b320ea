"""Withdrawals sent from a real hot wallet on a local EVM chain (eth-tester, and
anvil when installed), through the worker and the real adapter, on both backends."""

from __future__ import annotations

from decimal import ROUND_UP, Decimal
from uuid import UUID

import pytest
from eth_account import Account

from domain.kernel.errors import Conflict
from domain.kernel.postings import (
    HOUSE_HOT_WALLET,
    HOUSE_NETWORK_FEES,
    HOUSE_PENDING_WITHDRAWALS,
)
from domain.cashier.withdrawals.records import WithdrawalRecord, withdrawal_record
from tests.cashier_chains import evm_services
from tests.factories import credit

D = Decimal
DESTINATION = Account.create().address


def start(settings, tmp_path, local_evm, **hot):
    services = evm_services(settings, tmp_path, local_evm, **hot)
    credit(services, "p1", "ETH", "3")
    credit(services, "p1", "USDT", "500")
    return services


@pytest.fixture
def cashier(settings, tmp_path, local_evm):
    services = start(settings, tmp_path, local_evm, hot_usdt="1000")
    yield services
    services.close()


def withdraw(services, amount: str, currency: str = "ETH", request_id: str = "w-1",
             destination: str = DESTINATION):
    return services.cashier.request_withdrawal(
        request_id=request_id, player_id="p1", currency=currency, amount=D(amount),
        destination=destination, requested_by="p1").result


def status(services, withdrawal_id: str) -> WithdrawalRecord:
    return withdrawal_record(services.ledger.repository.get(UUID(withdrawal_id)))


def journal(services, currency: str) -> dict:
    services.projections.catch_up()
    assert all(t == 0 for t in services.journal.trial_balance().values())
    return {account: balance for (_, account), balance in
            services.journal.account_balances(currency).items()}


def test_a_withdrawal_is_sent_mined_and_confirmed_with_the_fee_in_the_ledger(
        cashier, local_evm):
    sender = cashier.chains["ethereum"].sender
    hot_before = sender.balance("ETH")
    request = withdraw(cashier, "1")
    assert request.status == "queued"
    cashier.cashier.send()
    sent = status(cashier, request.withdrawal_id)
    assert sent.status == "sent" and sent.nonce == 0
    assert sent.sent + sent.fee == D(1)  # the fee is deducted from the amount
    receipt = sender.receipt(sent.tx_hash)
    local_evm.mine(10)
    cashier.cashier.send()
    assert status(cashier, request.withdrawal_id).status == "sent"  # 11 confirmations
    local_evm.mine(1)
    cashier.cashier.send()
    assert status(cashier, request.withdrawal_id).status == "confirmed"
    assert sender.balance_of(DESTINATION, "ETH") == sent.sent
    assert sender.balance("ETH") == hot_before - sent.sent - receipt.fee_paid
    books = journal(cashier, "ETH")
    assert books.get(HOUSE_PENDING_WITHDRAWALS, D(0)) == 0
    assert books[HOUSE_NETWORK_FEES] == sent.fee - receipt.fee_paid
    assert books[HOUSE_HOT_WALLET] == D(1) - sent.fee + receipt.fee_paid
    assert cashier.ledger.wallet("p1", "ETH").cash == D(2)


def test_a_token_withdrawal_is_charged_the_gas_in_the_token(cashier, local_evm):
    sender = cashier.chains["ethereum"].sender
    gas = sender.fee("USDT")  # in ETH; at 3,000 USD per ETH and 1 per USDT
    request = withdraw(cashier, "100", "USDT")
    cashier.cashier.send()
    local_evm.mine(11)
    cashier.cashier.send()
    done = status(cashier, request.withdrawal_id)
    assert done.status == "confirmed"
    assert done.fee == (gas * 3000).quantize(D("0.000001"), rounding=ROUND_UP)
    assert done.sent == D(100) - done.fee
    assert sender.balance_of(DESTINATION, "USDT") == done.sent
    fee_paid = sender.receipt(done.tx_hash).fee_paid
    assert journal(cashier, "ETH")[HOUSE_NETWORK_FEES] == -fee_paid  # the gas, in ETH
    assert journal(cashier, "USDT")[HOUSE_NETWORK_FEES] == done.fee  # charged


def test_an_under_funded_hot_wallet_leaves_the_request_queued_with_an_alert(
        settings, tmp_path, local_evm):
    services = start(settings, tmp_path, local_evm, hot_eth="0.5")
    try:
        request = withdraw(services, "2")
        [summary] = services.cashier.send()
        assert summary["deferred"] == 1 and summary["signed"] == 0
        assert status(services, request.withdrawal_id).status == "queued"
        deferred = services.ledger.repository.get(UUID(request.withdrawal_id))
        assert "hot wallet short" in deferred.deferred
        services.projections.catch_up(["withdrawals"])
        [alert] = services.withdrawals.rows(status="queued")
        assert alert["note"].startswith("hot wallet short: 0.5")
        assert services.ledger.wallet("p1", "ETH").locked == D(2)
        local_evm.pay(services.chains["ethereum"].sender.hot_address(), D("5"))
        services.cashier.send()
        assert status(services, request.withdrawal_id).status == "sent"
    finally:
        services.close()


def test_a_repeated_request_returns_the_first_result_and_another_payload_is_refused(
        cashier):
    first = withdraw(cashier, "1")
    assert withdraw(cashier, "1") == first
    with pytest.raises(Conflict):
        withdraw(cashier, "1.5")
    assert cashier.ledger.wallet("p1", "ETH").locked == D(1)


def test_a_worker_run_twice_sends_once_with_one_nonce_sequence(cashier, local_evm):
    first = withdraw(cashier, "1", request_id="w-1")
    second = withdraw(cashier, "0.5", request_id="w-2")
    cashier.cashier.send()
    cashier.cashier.send()
    nonces = [status(cashier, w.withdrawal_id).nonce for w in (first, second)]
    assert nonces == [0, 1]
    local_evm.mine(12)
    cashier.cashier.send()
    sender = cashier.chains["ethereum"].sender
    assert sender.balance_of(DESTINATION, "ETH") == sum(
        status(cashier, w.withdrawal_id).sent for w in (first, second))


def test_a_sent_withdrawal_dropped_by_a_reorg_goes_out_again_and_pays_once(
        cashier, local_evm):
    sender = cashier.chains["ethereum"].sender
    request = withdraw(cashier, "1")
    before_send = local_evm.snapshot()
    cashier.cashier.send()
    sent = status(cashier, request.withdrawal_id)
    assert sender.receipt(sent.tx_hash) is not None
    local_evm.revert(before_send)  # the block holding it is gone, and the tx with it
    local_evm.mine(1)
    assert sender.receipt(sent.tx_hash) is None
    cashier.cashier.send()  # no receipt: the recorded bytes are broadcast again
    assert sender.receipt(sent.tx_hash) is not None
    local_evm.mine(11)
    cashier.cashier.send()
    assert status(cashier, request.withdrawal_id).status == "confirmed"
    assert sender.balance_of(DESTINATION, "ETH") == sent.sent
