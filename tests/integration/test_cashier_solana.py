"""Solana through the production adapters, built from configuration, on the
SVM itself (LiteSVM through solders: the real system, SPL Token and
associated token programs) behind a local JSON-RPC, both ledger backends:
SOL and SPL USDC credited once at a depth of 30, a transaction dropped with
its expired blockhash, withdrawals sent and confirmed, sweeps (a SOL top-up
for USDC), and reconciliations to zero. LiteSVM has no forks, so no reorg
here (the watcher's reorg handling is shown on the EVM and Bitcoin chains)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from solders.keypair import Keypair

from chain.errors import TransactionRejected
from domain.cashier.deposits.model import deposit_key
from domain.compliance.deposits import ReleaseDeposit
from domain.cashier.sweeps.model import sweeps_key
from domain.cashier.withdrawals.records import withdrawal_record
from tests.cashier_chains import cash, reconciled, record_hot_capital, solana_services

D = Decimal
DESTINATION = str(Keypair().pubkey())  # someone else's
SWEEP = {"SOL": {"threshold": '"1"'}, "USDC": {"threshold": '"100"'}}
BALANCED = {"SOL": (D(0), "balanced"), "USDC": (D(0), "balanced")}


@pytest.fixture
def cashier(settings, tmp_path, solana_cluster):
    services = solana_services(settings, tmp_path, solana_cluster, sweep=SWEEP)
    services.cashier.watch()
    record_hot_capital(services, "solana")
    yield services
    services.close()


def deposit(services, cluster, currency: str, amount: str) -> tuple[str, str]:
    address = services.cashier.deposit_address("p1", currency).result.address
    return address, cluster.pay(address, amount, currency)


@pytest.mark.parametrize("currency,amount", [("SOL", "12.5"), ("USDC", "250")])
def test_a_deposit_is_credited_once_at_a_depth_of_thirty(cashier, solana_cluster,
                                                         currency, amount):
    address, tx = deposit(cashier, solana_cluster, currency, amount)
    from chain.solana_keys import export_addresses
    from tests.cashier_chains import solana_seed

    assert address == export_addresses(solana_seed(), 1)[0]
    solana_cluster.mine(28)  # 29 deep
    cashier.cashier.watch()
    # Keyed by the account index (SOL) or 256 + the token account's index.
    index = next(i for i in range(270) if _exists(cashier, tx, i))
    assert (index >= 256) == (currency == "USDC")
    status = cashier.ledger.repository.get(deposit_key("solana", tx, index)).status
    assert status == "pending" and cash(cashier, "p1", currency) == 0
    solana_cluster.mine(1)
    cashier.cashier.watch()
    cashier.cashier.watch()
    assert cash(cashier, "p1", currency) == D(amount)
    assert reconciled(cashier) == BALANCED


def _exists(services, tx, index) -> bool:
    from eventsourcing.application import AggregateNotFoundError

    try:
        services.ledger.repository.get(deposit_key("solana", tx, index))
    except AggregateNotFoundError:
        return False
    return True


def test_a_transaction_whose_blockhash_expired_is_dropped(cashier, solana_cluster):
    sender = cashier.chains["solana"].sender
    signed = sender.sign("SOL", DESTINATION, D(1))
    solana_cluster.mine(1)  # the blockhash it names is no longer recent
    with pytest.raises(TransactionRejected):
        sender.broadcast(signed)
    assert sender.receipt(signed.tx_hash) is None
    assert sender.balance_of(DESTINATION, "SOL") == 0


@pytest.mark.parametrize("currency,amount", [("SOL", "5"), ("USDC", "100")])
def test_a_withdrawal_is_sent_and_confirmed_with_its_fee(cashier, solana_cluster,
                                                         currency, amount):
    deposit(cashier, solana_cluster, currency, "500" if currency == "USDC" else "20")
    solana_cluster.mine(29)
    cashier.cashier.watch()
    request = cashier.cashier.request_withdrawal(
        request_id="w-1", player_id="p1", currency=currency, amount=D(amount),
        destination=DESTINATION, requested_by="p1").result
    cashier.cashier.send()
    solana_cluster.mine(1)
    sender = cashier.chains["solana"].sender
    record = withdrawal_record(cashier.ledger.repository.get(UUID(request.withdrawal_id)))
    assert record.status == "sent" and record.nonce is None
    receipt = sender.receipt(record.tx_hash)
    assert receipt.succeeded and receipt.fee_paid > 0
    solana_cluster.mine(29)
    cashier.cashier.send()
    record = withdrawal_record(cashier.ledger.repository.get(UUID(request.withdrawal_id)))
    assert record.status == "confirmed"
    assert sender.balance_of(DESTINATION, currency) == record.sent
    assert reconciled(cashier) == BALANCED


@pytest.mark.parametrize("currency,amount", [("SOL", "30"), ("USDC", "300")])
def test_a_deposit_is_swept_into_the_hot_wallet_and_reconciled(cashier, solana_cluster,
                                                               currency, amount):
    sender = cashier.chains["solana"].sender
    address, _ = deposit(cashier, solana_cluster, currency, amount)
    solana_cluster.mine(29)
    cashier.cashier.watch()
    before = sender.balance(currency)
    [summary] = cashier.cashier.sweep()
    if currency == "USDC":  # no SOL on the address: the hot wallet's top-up first
        assert summary["topUps"] == 1
        solana_cluster.mine(1)
        cashier.cashier.watch()  # the top-up is not the player's deposit
        assert cash(cashier, "p1", "SOL") == 0
        [summary] = cashier.cashier.sweep()
    assert summary["signed"] == 1
    solana_cluster.mine(30)
    assert cashier.cashier.sweep()[0]["confirmed"] == 1
    [done] = cashier.ledger.repository.get(sweeps_key("solana", address)).history
    assert done["status"] == "confirmed"
    assert sender.balance(currency) == before + done["amount"]
    assert reconciled(cashier) == BALANCED


@pytest.mark.parametrize("currency", ["SOL", "USDC"])
def test_a_deposit_from_a_denied_sender_is_held_until_released(settings, tmp_path,
                                                               solana_cluster, currency):
    """KYT: the block source reports the sender (the faucet: the fee payer of a SOL
    transfer, the owner of the token account debited), which the AML screen
    refuses, so the deposit is held, not credited."""
    faucet = str(solana_cluster.cluster.faucet.pubkey())
    services = solana_services(settings, tmp_path, solana_cluster,
                               cashier=f'deny_list = ["{faucet}"]')
    try:
        services.cashier.watch()
        address, tx = deposit(services, solana_cluster, currency, "20")
        solana_cluster.mine(30)
        services.cashier.watch()
        index = next(i for i in range(270) if _exists(services, tx, i))
        held = services.ledger.repository.get(deposit_key("solana", tx, index))
        assert (held.status, held.risk_score, cash(services, "p1", currency)) == (
            "held", 10, 0)
        services.ledger.execute(ReleaseDeposit(str(held.id), "staff:cmp", "cleared"))
        assert cash(services, "p1", currency) == D(20)
    finally:
        services.close()
