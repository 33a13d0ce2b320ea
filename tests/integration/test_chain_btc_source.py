"""The bitcoind block source against a local regtest chain served over the
bitcoind JSON-RPC subset (blocks validated by py-bitcoinkernel): deposits,
confirmations, a reorg, and the start-up and failure checks."""

from decimal import Decimal

import pytest

from chain.btc_derivation import Bip84AddressDeriver
from chain.btc_rpc import BitcoindRpc, connect_bitcoind
from chain.btc_source import BitcoinBlockSource
from chain.errors import BlockNotFound, ChainMismatch, ChainUnavailable
from chain.interfaces import BlockSource, Transfer
from tests.chains.anvil import free_port
from tests.chains.keys import BTC_VPUB

DEPOSITS = Bip84AddressDeriver(BTC_VPUB, "regtest")
ALICE, BOB, CAROL = (DEPOSITS.address(i) for i in range(3))


@pytest.fixture
def source(bitcoin_regtest) -> BitcoinBlockSource:
    node = bitcoin_regtest
    return BitcoinBlockSource(connect_bitcoind(node.url, "regtest", node.user, node.password))


def test_deposits_are_found_by_output_with_exact_amounts(bitcoin_regtest, source):
    chain = bitcoin_regtest.chain
    to_alice = chain.pay(ALICE, Decimal("0.00012345"))
    to_bob = chain.pay(BOB, Decimal("1.5"))
    chain.pay(CAROL, Decimal("2"))  # not watched here
    [block_hash] = chain.mine()
    height = source.tip()
    assert isinstance(source, BlockSource)
    payer = chain.miner_address  # each payment spends a coinbase of the miner's (KYT)
    assert source.transfers(height, [ALICE, BOB]) == [
        Transfer("bitcoin", "BTC", to_alice, 0, ALICE, Decimal("0.00012345"), height, block_hash,
                 payer),
        Transfer("bitcoin", "BTC", to_bob, 0, BOB, Decimal("1.50000000"), height, block_hash,
                 payer),
    ]


def test_confirmations_grow_with_the_chain(bitcoin_regtest, source):
    chain = bitcoin_regtest.chain
    chain.pay(ALICE, Decimal("0.1"))
    chain.mine()
    [deposit] = source.transfers(source.tip(), [ALICE])
    assert source.tip() - deposit.block_height + 1 == 1
    chain.mine()
    assert source.tip() - deposit.block_height + 1 == 2


def test_a_reorg_drops_the_deposit_and_changes_the_block_hash(bitcoin_regtest, source):
    chain = bitcoin_regtest.chain
    chain.pay(ALICE, Decimal("0.5"))
    chain.mine()
    [deposit] = source.transfers(source.tip(), [ALICE])
    chain.reorg(depth=1)
    assert source.tip() == deposit.block_height + 1
    assert source.header(deposit.block_height).hash != deposit.block_hash
    assert source.transfers(deposit.block_height, [ALICE]) == []


def test_headers_link_to_their_parents(bitcoin_regtest, source):
    tip = source.tip()
    top, below = source.header(tip), source.header(tip - 1)
    assert top.parent_hash == below.hash and top.timestamp >= below.timestamp
    assert source.header(0).parent_hash == "0" * 64
    with pytest.raises(BlockNotFound):
        source.header(tip + 1)


def test_a_node_on_another_network_is_refused_at_start(bitcoin_regtest):
    node = bitcoin_regtest
    with pytest.raises(ChainMismatch, match="regtest"):
        connect_bitcoind(node.url, "mainnet", node.user, node.password)


def test_a_wrong_password_or_a_dead_node_is_unavailable(bitcoin_regtest):
    with pytest.raises(ChainUnavailable, match="401"):
        connect_bitcoind(bitcoin_regtest.url, "regtest", bitcoin_regtest.user, "wrong")
    with pytest.raises(ChainUnavailable, match="unreachable"):
        BitcoindRpc(f"http://127.0.0.1:{free_port()}/", timeout=2).call("getblockcount")
