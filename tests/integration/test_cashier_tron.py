"""Tron through the production adapters, built from configuration, against the
local test double of a Tron node's HTTP API (NOT a Tron node:
tests/chains/tron_node.py), on both ledger backends: TRX and TRC-20 USDT
credited once at the 20th confirmation, a deposit dropped with its blocks,
withdrawals sent and confirmed with the fee burnt recorded, sweeps (a gas
top-up for USDT), and reconciliations to zero."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from coincurve import PrivateKey

from chain.tron_protocol import address_of_key
from domain.cashier.deposits.model import deposit_key
from domain.compliance.deposits import ReleaseDeposit
from domain.cashier.sweeps.model import sweeps_key
from domain.cashier.withdrawals.records import withdrawal_record
from tests.cashier_chains import cash, reconciled, record_hot_capital, tron_services
from tests.chains.tron_node import FAUCET_KEY

D = Decimal
DESTINATION = address_of_key(PrivateKey().public_key)  # someone else's
SWEEP = {"TRX": {"threshold": '"50"'}, "USDT": {"threshold": '"100"'}}
BALANCED = {"TRX": (D(0), "balanced"), "USDT": (D(0), "balanced")}


@pytest.fixture
def cashier(settings, tmp_path, tron_node):
    services = tron_services(settings, tmp_path, tron_node, sweep=SWEEP)
    services.cashier.watch()
    record_hot_capital(services, "tron")
    yield services
    services.close()


def status(services, tx_hash: str, index: int = 0) -> str:
    return services.ledger.repository.get(deposit_key("tron", tx_hash, index)).status


@pytest.mark.parametrize("currency,amount,index", [("TRX", "120", 0), ("USDT", "250", 1)])
def test_a_deposit_is_credited_once_at_its_twentieth_confirmation(cashier, tron_node,
                                                                  currency, amount, index):
    address = cashier.cashier.deposit_address("p1", currency).result.address
    assert address.startswith("T")
    tx = tron_node.pay(address, amount, currency)
    tron_node.mine(18)  # 19 confirmations
    cashier.cashier.watch()
    assert status(cashier, tx, index) == "pending" and cash(cashier, "p1", currency) == 0
    tron_node.mine(1)
    cashier.cashier.watch()
    cashier.cashier.watch()
    assert status(cashier, tx, index) == "credited"
    assert cash(cashier, "p1", currency) == D(amount)
    assert reconciled(cashier) == BALANCED


def test_a_deposit_dropped_with_its_blocks_is_never_credited(cashier, tron_node):
    address = cashier.cashier.deposit_address("p1", "TRX").result.address
    fork = tron_node.height
    tx = tron_node.pay(address, "40")
    tron_node.mine(5)
    cashier.cashier.watch()
    assert status(cashier, tx) == "pending"
    tron_node.fork(fork)
    tron_node.mine(30)
    [summary] = cashier.cashier.watch()
    assert summary["orphaned"] == 1 and status(cashier, tx) == "orphaned"
    assert cash(cashier, "p1", "TRX") == 0
    assert reconciled(cashier) == BALANCED


@pytest.mark.parametrize("currency,amount", [("TRX", "100"), ("USDT", "100")])
def test_a_withdrawal_is_sent_and_confirmed_with_the_fee_burnt(cashier, tron_node,
                                                               currency, amount):
    address = cashier.cashier.deposit_address("p1", currency).result.address
    tron_node.pay(address, "500", currency)
    tron_node.mine(19)
    cashier.cashier.watch()
    request = cashier.cashier.request_withdrawal(
        request_id="w-1", player_id="p1", currency=currency, amount=D(amount),
        destination=DESTINATION, requested_by="p1").result
    cashier.cashier.send()
    tron_node.mine(1)
    sender = cashier.chains["tron"].sender
    record = withdrawal_record(cashier.ledger.repository.get(UUID(request.withdrawal_id)))
    assert record.status == "sent" and record.nonce is None
    receipt = sender.receipt(record.tx_hash)
    # Bandwidth burnt (and, for TRX to a new account, its activation; for
    # USDT, energy): paid by the hot wallet, booked on confirmation.
    assert receipt.succeeded and receipt.fee_paid > 0
    assert record.sent + record.fee == D(amount)
    tron_node.mine(19)
    cashier.cashier.send()
    record = withdrawal_record(cashier.ledger.repository.get(UUID(request.withdrawal_id)))
    assert record.status == "confirmed"
    assert sender.balance_of(DESTINATION, currency) >= record.sent
    assert reconciled(cashier) == BALANCED


@pytest.mark.parametrize("currency,amount", [("TRX", "300"), ("USDT", "300")])
def test_a_deposit_is_swept_into_the_hot_wallet_and_reconciled(cashier, tron_node,
                                                               currency, amount):
    sender = cashier.chains["tron"].sender
    address = cashier.cashier.deposit_address("p1", currency).result.address
    tron_node.pay(address, amount, currency)
    tron_node.mine(19)
    cashier.cashier.watch()
    before = sender.balance(currency)
    [summary] = cashier.cashier.sweep()
    if currency == "USDT":  # no TRX on the address: the hot wallet's top-up first
        assert summary["topUps"] == 1
        tron_node.mine(1)
        cashier.cashier.watch()  # the top-up is not the player's deposit
        assert cash(cashier, "p1", "TRX") == 0
        [summary] = cashier.cashier.sweep()
    assert summary["signed"] == 1
    tron_node.mine(20)
    assert cashier.cashier.sweep()[0]["confirmed"] == 1
    sweeps = cashier.ledger.repository.get(sweeps_key("tron", address))
    [done] = sweeps.history
    assert done["status"] == "confirmed"
    assert sender.balance(currency) == before + done["amount"]
    assert bool(done["topUp"]) == (currency == "USDT")
    assert reconciled(cashier) == BALANCED


@pytest.mark.parametrize("currency,index", [("TRX", 0), ("USDT", 1)])
def test_a_deposit_from_a_denied_sender_is_held_until_released(settings, tmp_path, tron_node,
                                                               currency, index):
    """KYT: the block source reports the sender (the faucet here), which the
    withdrawals' AML screen refuses, so the deposit is held, not credited."""
    faucet = address_of_key(PrivateKey(bytes.fromhex(FAUCET_KEY)).public_key)
    services = tron_services(settings, tmp_path, tron_node,
                             cashier=f'deny_list = ["{faucet}"]')
    try:
        services.cashier.watch()
        address = services.cashier.deposit_address("p1", currency).result.address
        tx = tron_node.pay(address, "30", currency)
        tron_node.mine(20)
        services.cashier.watch()
        held = services.ledger.repository.get(deposit_key("tron", tx, index))
        assert (held.status, held.risk_score, cash(services, "p1", currency)) == (
            "held", 10, 0)
        services.ledger.execute(ReleaseDeposit(str(held.id), "staff:cmp", "cleared"))
        assert cash(services, "p1", currency) == D(30)
    finally:
        services.close()
