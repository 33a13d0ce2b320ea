"""Sweeps of deposit addresses into the hot wallet on BSC (eth-tester, and an
anvil node built from configuration), both ledger backends: BNB above its
threshold, a BEP-20 token with the hot wallet's gas top-up booked, a sweep
dropped by a reorg and sent again, rules not yet due, and reconciliation to
zero after each."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from domain.cashier.sweeps.model import sweeps_key
from domain.kernel.postings import HOUSE_HOT_WALLET, HOUSE_NETWORK_FEES
from tests.cashier_chains import bsc_services, reconciled, record_hot_capital

D = Decimal
RULES = {"BNB": {"threshold": '"0.5"'}, "USDT": {"threshold": '"100"'}}


@pytest.fixture
def cashier(settings, tmp_path, local_evm):
    services = bsc_services(settings, tmp_path, local_evm, sweep=RULES)
    services.cashier.watch()
    record_hot_capital(services, "bsc")
    yield services
    services.close()


def deposit(services, local_evm, player: str, amount: str, currency: str = "BNB") -> str:
    address = services.cashier.deposit_address(player, currency).result.address
    local_evm.pay(address, D(amount), "ETH" if currency == "BNB" else currency)
    local_evm.mine(14)
    services.cashier.watch()
    assert services.ledger.wallet(player, currency).cash >= D(amount)
    return address


def sweeps(services, address: str):
    return services.ledger.repository.get(sweeps_key("bsc", address))


def mined(sender, tx_hash: str) -> bool:
    """anvil mines a sent transaction just after answering the send."""
    deadline = time.monotonic() + 10
    while sender.receipt(tx_hash) is None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


BALANCED = {"BNB": (D(0), "balanced"), "USDT": (D(0), "balanced")}


def fees_booked(services) -> Decimal:
    services.projections.catch_up()
    assert all(t == 0 for t in services.journal.trial_balance().values())
    books = {account: balance for (_, account), balance in
             services.journal.account_balances("BNB").items()}
    assert HOUSE_HOT_WALLET in books
    return -books.get(HOUSE_NETWORK_FEES, D(0))


def test_the_sweeper_is_built_only_with_its_keys_and_rules(cashier):
    [sweeper] = cashier.cashier.sweepers()
    assert sweeper.chain == "bsc" and set(sweeper.rules) == {"BNB", "USDT"}
    assert [p.name for p in cashier.cashier.pollers(15, 30)][-1:] != []


def test_a_native_deposit_above_its_threshold_is_swept_confirmed_and_booked(cashier,
                                                                            local_evm):
    hot = cashier.chains["bsc"].sender
    address = deposit(cashier, local_evm, "p1", "2")
    before = hot.balance("BNB")
    [summary] = cashier.cashier.sweep()
    assert summary["signed"] == 1
    current = sweeps(cashier, address).current
    assert current["status"] == "sent" and current["amount"] + current["tx"]["fee"] == D(2)
    local_evm.mine(13)
    assert cashier.cashier.sweep()[0]["confirmed"] == 0  # 14 confirmations
    local_evm.mine(1)
    assert cashier.cashier.sweep()[0]["confirmed"] == 1
    record = sweeps(cashier, address)
    assert record.current is None and record.swept == {"BNB": current["amount"]}
    [done] = record.history
    assert hot.balance("BNB") == before + current["amount"]
    assert hot.balance_of(address, "BNB") == current["tx"]["fee"] - done["feePaid"]
    assert fees_booked(cashier) == done["feePaid"] > 0
    assert cashier.cashier.sweep()[0]["signed"] == 0  # the dust left is not swept
    assert reconciled(cashier) == BALANCED


def test_a_token_sweep_gets_its_gas_from_the_hot_wallet_booked(cashier, local_evm):
    hot = cashier.chains["bsc"].sender
    address = deposit(cashier, local_evm, "p1", "300", "USDT")
    usdt, bnb = hot.balance("USDT"), hot.balance("BNB")
    [summary] = cashier.cashier.sweep()
    assert summary["topUps"] == 1 and summary["signed"] == 0
    top_up = sweeps(cashier, address).current["topUp"]
    cashier.cashier.watch()  # the top-up is not a deposit of the player's
    assert cashier.ledger.wallet("p1", "BNB") is None
    assert mined(hot, top_up["txHash"])
    assert cashier.cashier.sweep()[0]["signed"] == 1
    local_evm.mine(14)
    assert cashier.cashier.sweep()[0]["confirmed"] == 1
    [done] = sweeps(cashier, address).history
    assert hot.balance("USDT") == usdt + D(300) and hot.balance_of(address, "USDT") == 0
    paid = done["feePaid"] + done["topUpFeePaid"]
    assert hot.balance("BNB") == bnb - top_up["amount"] - done["topUpFeePaid"]
    assert hot.balance_of(address, "BNB") == top_up["amount"] - done["feePaid"]
    assert fees_booked(cashier) == paid
    assert reconciled(cashier) == BALANCED


def test_a_sweep_dropped_by_a_reorg_is_sent_again_and_confirmed_once(cashier, local_evm):
    hot = cashier.chains["bsc"].sender
    address = deposit(cashier, local_evm, "p1", "1")
    before = hot.balance("BNB")
    fork = local_evm.snapshot()
    cashier.cashier.sweep()
    tx = sweeps(cashier, address).current["tx"]["txHash"]
    assert mined(hot, tx)
    local_evm.revert(fork)  # the block with the sweep is gone
    assert hot.receipt(tx) is None
    local_evm.mine(2)
    cashier.cashier.sweep()  # no receipt: the same bytes again
    assert mined(hot, tx)
    local_evm.mine(14)
    assert cashier.cashier.sweep()[0]["confirmed"] == 1
    assert cashier.cashier.sweep()[0] == {"chain": "bsc", "topUps": 0, "signed": 0,
                                          "confirmed": 0, "failed": 0}
    assert hot.balance("BNB") == before + sweeps(cashier, address).swept["BNB"]
    assert reconciled(cashier) == BALANCED


def test_below_the_threshold_nothing_moves_and_the_books_still_balance(cashier,
                                                                      local_evm):
    address = deposit(cashier, local_evm, "p1", "0.2")
    deposit(cashier, local_evm, "p2", "50", "USDT")
    assert cashier.cashier.sweep()[0]["signed"] == 0
    with pytest.raises(Exception):
        sweeps(cashier, address)
    report = cashier.cashier.reconciler().run("run")["BNB"]
    assert report.inputs["depositAddresses"] == D("0.2")
    assert reconciled(cashier) == BALANCED
