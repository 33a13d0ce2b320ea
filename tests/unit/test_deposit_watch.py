"""The deposit watcher's logic on an in-memory chain and an in-memory ledger.

The same cases run end to end on eth-tester and the local Bitcoin chain in
tests/integration/test_deposits_*.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.cashier.rules import CashierRules
from domain.cashier.deposits.model import deposit_key
from domain.cashier.deposits.addresses import AssignDepositAddress
from domain.ledger import Ledger
from domain.kernel.money import Currencies
from domain.rules import Rules
from schedulers.cashier.deposit_watch import DepositWatcher
from tests.unit.fake_chain import FakeChain

D = Decimal


@pytest.fixture
def ledger():
    rules = Rules(currencies=Currencies({"ETH": 18, "BTC": 8, "USDC": 6}))
    built = Ledger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, rules)
    yield built
    built.close()


@pytest.fixture
def chain() -> FakeChain:
    return FakeChain()


def address(ledger: Ledger, player: str) -> str:
    return ledger.execute(AssignDepositAddress(
        player, "ETH", derive=lambda i: f"addr-{i}")).result.address


def cash(ledger: Ledger, player: str) -> Decimal:
    wallet = ledger.wallet(player, "ETH")
    return wallet.cash if wallet else D(0)


def test_the_same_player_gets_the_same_address_and_others_the_next_index(ledger):
    first = address(ledger, "p1")
    assert address(ledger, "p1") == first == "addr-0"
    assert address(ledger, "p2") == "addr-1"
    usdc = ledger.execute(AssignDepositAddress("p1", "USDC", derive=str)).result
    assert usdc.address == first


def test_credited_at_the_twelfth_confirmation_and_not_before(ledger, chain):
    watcher = DepositWatcher(ledger, chain)
    watcher.step()
    chain.pay(address(ledger, "p1"), "1.5")
    chain.mine(10)
    watcher.step()
    assert cash(ledger, "p1") == 0  # 11 confirmations
    chain.mine(1)
    assert watcher.step()["credited"] == 1
    assert cash(ledger, "p1") == D("1.5")
    chain.mine(5)
    watcher.step()
    assert cash(ledger, "p1") == D("1.5")


def test_a_deposit_orphaned_by_a_reorg_is_never_credited(ledger, chain):
    watcher = DepositWatcher(ledger, chain)
    watcher.step()
    tx = chain.pay(address(ledger, "p1"), "2")
    chain.mine(3)
    watcher.step()
    chain.fork(0)  # the deposit was in block 1
    chain.mine(20)
    assert watcher.step()["orphaned"] == 1
    assert ledger.repository.get(deposit_key("ethereum", tx, 0)).status == "orphaned"
    assert cash(ledger, "p1") == 0


def test_a_restarted_watcher_credits_nothing_twice(ledger, chain):
    DepositWatcher(ledger, chain).step()
    chain.pay(address(ledger, "p1"), "1")
    chain.mine(6)
    DepositWatcher(ledger, chain, max_blocks=3).step()
    chain.mine(20)
    for _ in range(3):
        DepositWatcher(ledger, chain).step()
    assert cash(ledger, "p1") == D(1)


def test_a_deposit_below_the_minimum_is_recorded_and_not_credited(chain):
    ledger = Ledger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, Rules(
        currencies=Currencies({"ETH": 18}),
        cashier=CashierRules(min_deposit={"ETH": D("0.01")})))
    watcher = DepositWatcher(ledger, chain)
    watcher.step()
    tx = chain.pay(address(ledger, "p1"), "0.001")
    chain.mine(20)
    watcher.step()
    assert ledger.repository.get(deposit_key("ethereum", tx, 0)).status == "below_minimum"
    assert cash(ledger, "p1") == 0


def test_a_transfer_mined_again_after_a_reorg_is_credited_once(ledger, chain):
    watcher = DepositWatcher(ledger, chain)
    watcher.step()
    to = address(ledger, "p1")
    tx = chain.pay(to, "3")
    chain.mine(2)
    watcher.step()
    chain.fork(0)
    chain.mine(1)
    chain.pay(to, "3", tx=tx)  # the same transaction, in a block of the new branch
    chain.mine(11)
    assert watcher.step()["orphaned"] == 1
    deposit = ledger.repository.get(deposit_key("ethereum", tx, 0))
    assert (deposit.status, deposit.block_height) == ("credited", 2)
    assert cash(ledger, "p1") == D(3)
