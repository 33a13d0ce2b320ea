"""The EVM block source on real local chains (eth-tester, and anvil when
installed): native and ERC-20 deposits, headers, reorgs, start-up checks."""

from dataclasses import replace
from decimal import Decimal

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from chain.errors import BlockNotFound, ChainMismatch, ChainUnavailable
from chain.evm_node import connect_evm
from chain.evm_source import EvmBlockSource
from chain.interfaces import BlockSource, Transfer
from tests.chains.anvil import free_port

PLAYER = Account.create().address
OTHER = Account.create().address


@pytest.fixture
def source(local_evm) -> EvmBlockSource:
    return EvmBlockSource(connect_evm(local_evm.w3, local_evm.chain()), local_evm.chain())


def mined_in(local_evm, tx_hash: str) -> tuple[int, str]:
    receipt = local_evm.w3.eth.get_transaction_receipt(tx_hash)
    return receipt["blockNumber"], "0x" + bytes(receipt["blockHash"]).hex()


def test_a_native_deposit_is_found_in_its_block(local_evm, source):
    tx_hash = local_evm.pay(PLAYER, Decimal("1.5"))
    height, block_hash = mined_in(local_evm, tx_hash)
    assert isinstance(source, BlockSource)
    assert source.transfers(height, [PLAYER, OTHER]) == [
        Transfer("ethereum", "ETH", tx_hash, 0, PLAYER, Decimal("1.5"), height, block_hash,
                 local_evm.faucet.address)]  # the sender, for KYT


def test_a_token_deposit_is_found_by_its_transfer_log(local_evm, source):
    tx_hash = local_evm.pay(PLAYER.lower(), Decimal("25.5"), "USDT")
    height, block_hash = mined_in(local_evm, tx_hash)
    [transfer] = source.transfers(height, {PLAYER})
    log_index = local_evm.w3.eth.get_transaction_receipt(tx_hash)["logs"][0]["logIndex"]
    assert transfer == Transfer("ethereum", "USDT", tx_hash, log_index, PLAYER,
                                Decimal("25.500000"), height, block_hash,
                                local_evm.faucet.address)


def test_several_deposits_in_one_block_come_in_transaction_order(local_evm, source):
    payers = [local_evm.funded_account(Decimal(5), Decimal(100)) for _ in range(2)]
    with local_evm.one_block():
        native = local_evm.pay(PLAYER, Decimal("1"))
        token = local_evm.pay(PLAYER, Decimal("5"), "USDT", payer=payers[0])
        other = local_evm.pay(OTHER, Decimal("2"), payer=payers[1])
    heights = {mined_in(local_evm, tx)[0] for tx in (native, token, other)}
    assert len(heights) == 1
    expected = sorted([(native, "ETH", PLAYER, Decimal("1")), (token, "USDT", PLAYER, Decimal("5")),
                       (other, "ETH", OTHER, Decimal("2"))], key=lambda row: position(local_evm, row[0]))
    found = source.transfers(heights.pop(), {PLAYER, OTHER})
    assert [(t.tx_hash, t.currency, t.to_address, t.amount) for t in found] == expected
    assert len({(t.tx_hash, t.index) for t in found}) == 3


def position(local_evm, tx_hash: str) -> int:
    return local_evm.w3.eth.get_transaction_receipt(tx_hash)["transactionIndex"]


def test_transfers_to_unwatched_addresses_are_ignored(local_evm, source):
    native = mined_in(local_evm, local_evm.pay(OTHER, Decimal("2")))[0]
    token = mined_in(local_evm, local_evm.pay(OTHER, Decimal("3"), "USDT"))[0]
    assert source.transfers(native, [PLAYER]) == []
    assert source.transfers(token, [PLAYER]) == []


def test_headers_chain_to_their_parents_up_to_the_tip(local_evm, source):
    local_evm.mine(3)
    tip = source.tip()
    top, below = source.header(tip), source.header(tip - 1)
    assert (top.height, top.parent_hash) == (tip, below.hash)
    assert top.timestamp.tzinfo is not None and top.timestamp >= below.timestamp
    with pytest.raises(BlockNotFound):
        source.header(tip + 100)


def test_a_reorg_replaces_the_block_and_drops_the_deposit(local_evm, source):
    fork = local_evm.snapshot()
    height, block_hash = mined_in(local_evm, local_evm.pay(PLAYER, Decimal("1")))
    assert len(source.transfers(height, [PLAYER])) == 1
    local_evm.revert(fork)
    local_evm.mine(3)
    assert source.header(height).hash != block_hash
    assert source.transfers(height, [PLAYER]) == []


def test_a_node_of_another_chain_is_refused_at_start(local_evm):
    configured = local_evm.chain()
    with pytest.raises(ChainMismatch, match="chain id"):
        connect_evm(local_evm.w3, replace(configured, chain_id=1))


def test_token_decimals_are_checked_against_the_contract(local_evm):
    configured = local_evm.chain()
    wrong = replace(configured.tokens[0], decimals=18)
    with pytest.raises(ChainMismatch, match="decimals"):
        connect_evm(local_evm.w3, replace(configured, tokens=(wrong,)))


def test_an_unreachable_node_is_reported_as_unavailable(local_evm):
    closed = Web3(HTTPProvider(f"http://127.0.0.1:{free_port()}", request_kwargs={"timeout": 2}))
    with pytest.raises(ChainUnavailable):
        connect_evm(closed, local_evm.chain())
    with pytest.raises(ChainUnavailable):
        EvmBlockSource(closed, local_evm.chain()).tip()
