"""The Bitcoin hot wallet against the local regtest chain (validated by
py-bitcoinkernel, served over bitcoind JSON-RPC): withdrawals signed,
broadcast, mined and confirmed with their fee; idempotent re-broadcast; an
under-funded hot wallet; coins never spent twice; a reorged withdrawal."""

from decimal import Decimal

import pytest

from chain.btc_rpc import connect_bitcoind
from chain.btc_sender import BitcoinSender
from chain.errors import InsufficientHotFunds
from chain.interfaces import InvalidAddress, Sender
from tests.chains.keys import BTC_HOT_KEY as HOT_KEY

PLAYER = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"
COLD = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def hot_wallet(node, *coins: str) -> BitcoinSender:
    rpc = connect_bitcoind(node.url, "regtest", node.user, node.password)
    sender = BitcoinSender(rpc, "regtest", HOT_KEY)
    for amount in coins:
        node.chain.pay(sender.hot_address(), Decimal(amount))
    node.chain.mine()
    return sender


def test_a_withdrawal_is_sent_mined_and_confirmed_with_its_fee(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest, "2")
    signed = sender.sign("BTC", PLAYER, Decimal("0.5"), sender.next_nonce())
    assert isinstance(sender, Sender)
    assert (signed.nonce, signed.fee_currency) == (None, "BTC") and signed.fee > 0
    assert sender.broadcast(signed) == signed.tx_hash
    assert sender.receipt(signed.tx_hash) is None  # in the mempool
    bitcoin_regtest.chain.mine(2)
    receipt = sender.receipt(signed.tx_hash)
    assert receipt.succeeded and receipt.fee_paid == signed.fee
    assert sender.tip() - receipt.block_height + 1 == 2
    assert sender.balance_of(PLAYER, "BTC") == Decimal("0.5")
    assert sender.balance("BTC") == Decimal("2") - Decimal("0.5") - signed.fee


def test_broadcasting_the_same_withdrawal_again_pays_once(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest, "1")
    signed = sender.sign("BTC", PLAYER, Decimal("0.3"), 0)
    assert sender.broadcast(signed) == sender.broadcast(signed) == signed.tx_hash
    bitcoin_regtest.chain.mine()
    assert sender.broadcast(signed) == signed.tx_hash  # already mined: not an error
    bitcoin_regtest.chain.mine()
    assert sender.balance_of(PLAYER, "BTC") == Decimal("0.3")


def test_an_under_funded_hot_wallet_signs_nothing(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest, "0.5")
    with pytest.raises(InsufficientHotFunds):
        sender.sign("BTC", PLAYER, Decimal("0.5"), 0)  # the amount, but not the fee


def test_two_withdrawals_before_a_block_never_spend_the_same_coin(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest, "1", "1")
    first = sender.sign("BTC", PLAYER, Decimal("0.6"), 0)
    second = sender.sign("BTC", PLAYER, Decimal("0.6"), 0)
    with pytest.raises(InsufficientHotFunds):
        sender.sign("BTC", PLAYER, Decimal("0.1"), 0)  # change is unconfirmed
    sender.broadcast(first)
    sender.broadcast(second)
    bitcoin_regtest.chain.mine()  # the kernel would refuse a double spend
    assert sender.receipt(first.tx_hash) and sender.receipt(second.tx_hash)
    assert sender.balance_of(PLAYER, "BTC") == Decimal("1.2")


def test_a_reorged_withdrawal_loses_its_receipt_and_mines_again(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest, "1")
    signed = sender.sign("BTC", PLAYER, Decimal("0.25"), 0)
    sender.broadcast(signed)
    bitcoin_regtest.chain.mine()
    assert sender.receipt(signed.tx_hash) is not None
    bitcoin_regtest.chain.reorg(depth=1)
    assert sender.receipt(signed.tx_hash) is None
    sender.broadcast(signed)
    bitcoin_regtest.chain.mine()
    assert sender.receipt(signed.tx_hash).succeeded


def test_destinations_of_another_network_are_refused(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest, "1")
    with pytest.raises(InvalidAddress, match="expected regtest"):
        sender.sign("BTC", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", Decimal("0.1"), 0)


def test_fees_and_watch_only_balances(bitcoin_regtest):
    sender = hot_wallet(bitcoin_regtest)
    bitcoin_regtest.chain.pay(COLD, Decimal("7.5"))
    bitcoin_regtest.chain.mine()
    assert sender.balance_of(COLD, "BTC") == Decimal("7.5")
    assert sender.fee("BTC") == Decimal("0.00001651")  # 10 sat/vB fallback x 165 vB, + 1
    with pytest.raises(ValueError, match="ETH"):
        sender.balance("ETH")
