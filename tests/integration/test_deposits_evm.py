"""Deposits on a real local EVM chain through the real adapters (eth-tester, and
anvil when installed), on both ledger backends: ETH needs 12 confirmations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.cashier.deposits.model import Deposit, deposit_key
from domain.compliance.deposits import ReleaseDeposit
from schedulers.cashier.deposit_watch import DepositWatcher
from tests.cashier_chains import evm_services

D = Decimal


@pytest.fixture
def cashier(settings, tmp_path, local_evm):
    services = evm_services(settings, tmp_path, local_evm)
    services.cashier.watch()  # the watch opens at the chain's tip
    yield services
    services.close()


def cash(services, player: str, currency: str = "ETH") -> Decimal:
    wallet = services.ledger.wallet(player, currency)
    return wallet.cash if wallet else D(0)


def deposit_of(services, tx_hash: str, index: int = 0) -> Deposit:
    return services.ledger.repository.get(deposit_key("ethereum", tx_hash, index))


def books_balance(services) -> None:
    services.projections.catch_up()
    assert all(total == 0 for total in services.journal.trial_balance().values())


def test_a_deposit_is_credited_at_its_twelfth_confirmation_and_not_before(cashier,
                                                                          local_evm):
    address = cashier.cashier.deposit_address("p1", "ETH").result.address
    tx = local_evm.pay(address, D("1.5"))
    local_evm.mine(10)
    cashier.cashier.watch()
    assert deposit_of(cashier, tx).status == "pending" and cash(cashier, "p1") == 0
    local_evm.mine(1)
    cashier.cashier.watch()
    assert deposit_of(cashier, tx).status == "credited"
    assert cash(cashier, "p1") == D("1.5")
    books_balance(cashier)
    [row] = cashier.deposits.rows("p1")
    assert (row["txHash"], row["amount"], row["status"]) == (tx, D("1.5"), "credited")


def test_an_erc20_deposit_shares_the_players_address_and_is_credited(cashier, local_evm):
    eth = cashier.cashier.deposit_address("p1", "ETH").result.address
    assert cashier.cashier.deposit_address("p1", "USDT").result.address == eth
    tx = local_evm.pay(eth, D("250.5"), "USDT")
    local_evm.mine(11)
    cashier.cashier.watch()
    assert cash(cashier, "p1", "USDT") == D("250.5")
    cashier.projections.catch_up(["deposits"])
    [row] = cashier.deposits.rows("p1")  # keyed by the Transfer log's index
    assert (row["txHash"], row["currency"], row["status"]) == (tx, "USDT", "credited")
    assert deposit_of(cashier, tx, row["index"]).amount == D("250.5")


def test_a_deposit_orphaned_by_a_reorg_is_never_credited(cashier, local_evm):
    address = cashier.cashier.deposit_address("p1", "ETH").result.address
    fork = local_evm.snapshot()
    tx = local_evm.pay(address, D("2"))
    local_evm.mine(3)
    cashier.cashier.watch()
    assert deposit_of(cashier, tx).status == "pending"
    local_evm.revert(fork)
    local_evm.mine(20)
    [summary] = cashier.cashier.watch()
    assert summary["orphaned"] == 1
    assert deposit_of(cashier, tx).status == "orphaned"
    assert cash(cashier, "p1") == 0


def test_a_watcher_restarted_mid_way_credits_nothing_twice(cashier, local_evm):
    address = cashier.cashier.deposit_address("p1", "ETH").result.address
    local_evm.pay(address, D("1"))
    local_evm.mine(8)
    source = cashier.chains["ethereum"].source
    DepositWatcher(cashier.ledger, source, max_blocks=4).step()  # stopped half-way
    local_evm.mine(10)
    for _ in range(3):  # a new watcher each time, as after a restart
        cashier.cashier.watch()
    assert cash(cashier, "p1") == D(1)
    credits = [e for e in cashier.ledger.events.get(
        cashier.ledger.wallet("p1", "ETH").id) if type(e).__name__ == "Credited"]
    assert len(credits) == 1
    books_balance(cashier)


def test_a_deposit_below_the_minimum_is_recorded_and_never_credited(cashier, local_evm):
    address = cashier.cashier.deposit_address("p1", "ETH").result.address
    tx = local_evm.pay(address, D("0.0005"))
    local_evm.mine(20)
    cashier.cashier.watch()
    assert deposit_of(cashier, tx).status == "below_minimum"
    assert cash(cashier, "p1") == 0


def test_a_deposit_from_a_denied_source_is_held_until_compliance_releases_it(
        settings, tmp_path, local_evm):
    """KYT: the watcher screens the sender with the withdrawals' AML screen."""
    payer = local_evm.funded_account(eth=D(5))
    services = evm_services(settings, tmp_path, local_evm,
                            extra=f'deny_list = ["{payer.address}"]')
    try:
        services.cashier.watch()
        address = services.cashier.deposit_address("p1", "ETH").result.address
        tx = local_evm.pay(address, D("1"), payer=payer)
        local_evm.mine(11)
        services.cashier.watch()
        held = deposit_of(services, tx)
        assert (held.status, held.risk_score, cash(services, "p1")) == ("held", 10, 0)
        services.ledger.execute(ReleaseDeposit(str(held.id), "staff:cmp", "cleared"))
        assert cash(services, "p1") == D("1")
        books_balance(services)
    finally:
        services.close()
