"""The EVM hot wallet on real local chains (eth-tester, and anvil when
installed): withdrawals signed, broadcast, mined and confirmed; idempotent
re-broadcast; one nonce sequence; an under-funded hot wallet; reorgs."""

from decimal import Decimal

import pytest
from eth_account import Account

from chain.errors import InsufficientHotFunds, TransactionRejected
from chain.evm_node import connect_evm
from chain.evm_sender import EvmSender
from chain.interfaces import InvalidAddress, Sender

PLAYER_WALLET = Account.create().address
COLD_WALLET = Account.create().address


def hot_wallet(local_evm, eth="10", usdt="0", **chain_options) -> EvmSender:
    account = local_evm.funded_account(Decimal(eth), Decimal(usdt))
    chain = local_evm.chain(**chain_options)
    return EvmSender(connect_evm(local_evm.w3, chain), chain, account.key.hex())


def test_a_withdrawal_is_sent_mined_and_confirmed_with_its_fee(local_evm):
    sender = hot_wallet(local_evm)
    signed = sender.sign("ETH", PLAYER_WALLET, Decimal("0.5"), sender.next_nonce())
    assert isinstance(sender, Sender) and signed.fee_currency == "ETH"
    assert sender.broadcast(signed) == signed.tx_hash
    receipt = sender.receipt(signed.tx_hash)
    assert receipt.succeeded and 0 < receipt.fee_paid <= signed.fee
    local_evm.mine(11)
    assert sender.tip() - receipt.block_height + 1 == 12
    assert sender.balance_of(PLAYER_WALLET, "ETH") == Decimal("0.5")
    assert sender.balance("ETH") == Decimal("10") - Decimal("0.5") - receipt.fee_paid


def test_a_token_withdrawal_pays_its_fee_in_the_native_coin(local_evm):
    sender = hot_wallet(local_evm, eth="1", usdt="100")
    signed = sender.sign("USDT", PLAYER_WALLET, Decimal("42.123456"), sender.next_nonce())
    sender.broadcast(signed)
    receipt = sender.receipt(signed.tx_hash)
    assert receipt.succeeded and signed.fee_currency == "ETH"
    assert sender.balance_of(PLAYER_WALLET, "USDT") == Decimal("42.123456")
    assert sender.balance("USDT") == Decimal("57.876544")
    assert sender.balance("ETH") == Decimal("1") - receipt.fee_paid


def test_broadcasting_the_same_signed_withdrawal_twice_pays_once(local_evm):
    sender = hot_wallet(local_evm)
    signed = sender.sign("ETH", PLAYER_WALLET, Decimal("1"), sender.next_nonce())
    assert sender.broadcast(signed) == sender.broadcast(signed) == signed.tx_hash
    local_evm.mine(2)
    assert sender.broadcast(signed) == signed.tx_hash
    assert sender.balance_of(PLAYER_WALLET, "ETH") == Decimal("1")


def test_one_nonce_sequence_per_hot_wallet(local_evm):
    sender = hot_wallet(local_evm)
    first = sender.next_nonce()
    signed = [sender.sign("ETH", PLAYER_WALLET, Decimal("0.1"), first + n) for n in range(3)]
    for transfer in signed:
        sender.broadcast(transfer)
    assert [t.nonce for t in signed] == [first, first + 1, first + 2]
    assert all(sender.receipt(t.tx_hash).succeeded for t in signed)
    assert sender.next_nonce() == first + 3
    assert sender.balance_of(PLAYER_WALLET, "ETH") == Decimal("0.3")


def test_another_transaction_on_a_used_nonce_is_rejected(local_evm):
    sender = hot_wallet(local_evm)
    nonce = sender.next_nonce()
    sender.broadcast(sender.sign("ETH", PLAYER_WALLET, Decimal("0.1"), nonce))
    with pytest.raises(TransactionRejected):
        sender.broadcast(sender.sign("ETH", PLAYER_WALLET, Decimal("0.2"), nonce))


@pytest.mark.parametrize("eth, usdt, currency, amount", [
    ("0.5", "0", "ETH", "0.5"),   # the amount, but not the gas
    ("1", "10", "USDT", "10.000001"),  # gas, but not the tokens
    ("0", "100", "USDT", "10"),   # the tokens, but no gas
])
def test_an_under_funded_hot_wallet_signs_nothing(local_evm, eth, usdt, currency, amount):
    sender = hot_wallet(local_evm, eth=eth, usdt=usdt)
    with pytest.raises(InsufficientHotFunds):
        sender.sign(currency, PLAYER_WALLET, Decimal(amount), sender.next_nonce())
    assert sender.next_nonce() == 0


def test_a_withdrawal_signed_before_another_emptied_the_hot_wallet_fails_to_send(local_evm):
    sender = hot_wallet(local_evm, eth="1")
    first = sender.sign("ETH", PLAYER_WALLET, Decimal("0.9"), 0)
    second = sender.sign("ETH", PLAYER_WALLET, Decimal("0.9"), 1)
    sender.broadcast(first)
    with pytest.raises(InsufficientHotFunds):
        sender.broadcast(second)
    assert sender.receipt(second.tx_hash) is None


def test_a_bad_destination_is_refused_before_signing(local_evm):
    sender = hot_wallet(local_evm)
    with pytest.raises(InvalidAddress):
        sender.sign("ETH", PLAYER_WALLET.lower()[:-1], Decimal("1"), 0)


def test_a_reorg_drops_the_receipt_and_the_same_bytes_mine_again(local_evm):
    sender = hot_wallet(local_evm)
    signed = sender.sign("ETH", PLAYER_WALLET, Decimal("1"), sender.next_nonce())
    fork = local_evm.snapshot()
    sender.broadcast(signed)
    assert sender.receipt(signed.tx_hash) is not None
    local_evm.revert(fork)
    local_evm.mine(2)
    assert sender.receipt(signed.tx_hash) is None
    assert sender.broadcast(signed) == signed.tx_hash
    assert sender.receipt(signed.tx_hash).succeeded
    assert sender.balance_of(PLAYER_WALLET, "ETH") == Decimal("1")


def test_legacy_gas_pricing_also_sends(local_evm):
    sender = hot_wallet(local_evm, eip1559=False)
    signed = sender.sign("ETH", PLAYER_WALLET, Decimal("0.25"), sender.next_nonce())
    sender.broadcast(signed)
    assert sender.receipt(signed.tx_hash).fee_paid == signed.fee  # gas price is exact
    assert sender.fee("ETH") > 0 and sender.fee("USDT") > sender.fee("ETH")


def test_a_watch_only_cold_wallet_balance_is_read_from_the_chain(local_evm):
    sender = hot_wallet(local_evm)
    local_evm.pay(COLD_WALLET, Decimal("3.75"))
    local_evm.pay(COLD_WALLET, Decimal("1000"), "USDT")
    assert sender.balance_of(COLD_WALLET, "ETH") == Decimal("3.75")
    assert sender.balance_of(COLD_WALLET, "USDT") == Decimal("1000")
    with pytest.raises(ValueError, match="BTC"):
        sender.balance_of(COLD_WALLET, "BTC")
