"""Bitcoin deposits, a reorg, and a withdrawal on the local regtest chain (blocks
validated by py-bitcoinkernel) over the bitcoind JSON-RPC subset, through the
real adapters, on both backends. BTC needs 2 confirmations."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from api.config.settings import Settings
from chain.btc_derivation import Bip84AddressDeriver
from domain.cashier.deposits.model import deposit_key
from domain.kernel.errors import InvalidInput
from domain.cashier.treasury.funding import RecordFunding
from tests.cashier_chains import btc_services
from tests.chains.keys import BTC_VPUB
from tests.factories import postgres_url

D = Decimal
OUTSIDE = Bip84AddressDeriver(BTC_VPUB, "regtest")
MAINNET = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"  # BIP84 vector, main net


@pytest.fixture
def cashier(settings, tmp_path, bitcoin_regtest):
    services = btc_services(settings, tmp_path, bitcoin_regtest)
    services.cashier.watch()
    yield services
    services.close()


def cash(services, player: str = "p1") -> Decimal:
    wallet = services.ledger.wallet(player, "BTC")
    return wallet.cash if wallet else D(0)


def status(services, tx: str) -> str:
    return services.ledger.repository.get(deposit_key("bitcoin", tx, 0)).status


def test_a_bitcoin_deposit_is_credited_at_its_second_confirmation(cashier,
                                                                 bitcoin_regtest):
    address = cashier.cashier.deposit_address("p1", "BTC").result.address
    assert address.startswith("bcrt1q")
    assert cashier.cashier.deposit_address("p1", "BTC").result.address == address
    tx = bitcoin_regtest.chain.pay(address, D("0.5"))
    bitcoin_regtest.chain.mine()
    cashier.cashier.watch()
    assert (status(cashier, tx), cash(cashier)) == ("pending", 0)
    bitcoin_regtest.chain.mine()
    cashier.cashier.watch()
    assert (status(cashier, tx), cash(cashier)) == ("credited", D("0.5"))


def test_a_bitcoin_deposit_dropped_by_a_reorg_is_orphaned_never_credited(
        cashier, bitcoin_regtest):
    address = cashier.cashier.deposit_address("p1", "BTC").result.address
    tx = bitcoin_regtest.chain.pay(address, D("0.25"))
    bitcoin_regtest.chain.mine()
    cashier.cashier.watch()
    bitcoin_regtest.chain.reorg(1, extra=3)
    [summary] = cashier.cashier.watch()
    assert summary["orphaned"] == 1
    assert (status(cashier, tx), cash(cashier)) == ("orphaned", 0)


def test_a_main_net_address_is_refused_on_regtest_and_case_is_normalised(
        cashier, bitcoin_regtest):
    address = cashier.cashier.deposit_address("p2", "BTC").result.address
    with pytest.raises(InvalidInput, match="regtest"):
        cashier.cashier.normalize("BTC", MAINNET)
    assert cashier.cashier.normalize("BTC", address.upper()) == address


def test_a_bitcoin_withdrawal_is_sent_confirmed_and_reconciles(cashier, bitcoin_regtest):
    chain = bitcoin_regtest.chain
    hot = cashier.chains["bitcoin"].sender.hot_address()
    funding = chain.pay(hot, D(2))
    chain.mine()
    cashier.ledger.execute(RecordFunding("BTC", D(2), funding, "fin-alice", "capital"))
    address = cashier.cashier.deposit_address("p1", "BTC").result.address
    chain.pay(address, D("0.5"))
    chain.mine(2)
    cashier.cashier.watch()
    destination = OUTSIDE.address(999)  # nobody's deposit address
    request = cashier.cashier.request_withdrawal(
        request_id="w-1", player_id="p1", currency="BTC", amount=D("0.1"),
        destination=destination, requested_by="p1").result
    cashier.cashier.send()
    chain.mine(2)
    cashier.cashier.send()
    cashier.projections.catch_up(["withdrawals"])
    done = cashier.withdrawals.rows(status="confirmed")
    assert [w["id"] for w in done] == [request.withdrawal_id]
    assert done[0]["sent"] + done[0]["fee"] == D("0.1")
    report = cashier.cashier.reconciler().run("after", ["BTC"])["BTC"]
    assert (report.discrepancy, report.verdict) == (D(0), "balanced")
    assert report.inputs["hot"] == D(2) - done[0]["sent"] - (
        cashier.chains["bitcoin"].sender.receipt(done[0]["txHash"]).fee_paid)


@pytest.mark.postgres_only
def test_two_watchers_at_once_credit_each_deposit_once(postgres_database, tmp_path,
                                                       bitcoin_regtest):
    """Two processes' watchers (two ledgers on one database) step together."""
    url = postgres_url(postgres_database)
    settings = Settings(database_url=url, secret="two-watchers-key-" + "0" * 32)
    first = btc_services(settings, tmp_path, bitcoin_regtest)
    second = btc_services(settings, tmp_path, bitcoin_regtest)
    try:
        first.cashier.watch()
        addresses = [first.cashier.deposit_address(f"p{n}", "BTC").result.address
                     for n in range(3)]
        for address in addresses:
            bitcoin_regtest.chain.pay(address, D("0.1"))
            bitcoin_regtest.chain.mine(2)
        gate = threading.Barrier(2)

        def watch(services) -> None:
            gate.wait()
            for _ in range(3):
                services.cashier.watch()

        threads = [threading.Thread(target=watch, args=(s,)) for s in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert [cash(second, f"p{n}") for n in range(3)] == [D("0.1")] * 3
        second.projections.catch_up()
        assert all(t == 0 for t in second.journal.trial_balance().values())
    finally:
        first.close()
        second.close()
