"""The local regtest chain itself: Bitcoin Core's validation (py-bitcoinkernel)
accepts the blocks it builds and refuses invalid ones, so tests that rely on
it run against real consensus rules."""

from decimal import Decimal

import pytest

from tests.chains.btc_regtest import BlockRejected, RegtestChain

PAYEE = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"


@pytest.fixture
def chain():
    regtest = RegtestChain()
    regtest.mine(101)
    yield regtest
    regtest.close()


def test_a_payment_is_mined_into_the_next_block(chain):
    txid = chain.pay(PAYEE, Decimal("0.25"))
    [block_hash] = chain.mine()
    block = chain.block(block_hash, 2)
    assert block["height"] == 102 and block["confirmations"] == 1
    assert block["tx"][1]["txid"] == txid
    assert block["tx"][1]["vout"][0]["value"] == Decimal("0.25")


def test_spending_the_same_coin_twice_is_refused(chain):
    chain.pay(PAYEE, Decimal("1"))
    chain._spent.clear()  # forget the first spend: the next pay re-spends it
    chain.pay(PAYEE, Decimal("2"))
    with pytest.raises(BlockRejected):
        chain.mine()
    assert chain.tip() == 101


def test_a_forged_signature_is_refused(chain):
    chain.pay(PAYEE, Decimal("1"))
    raw = bytearray(chain.mempool[0])
    raw[-40] ^= 1  # inside the witness signature
    chain.mempool[:] = [bytes(raw)]
    with pytest.raises(BlockRejected):
        chain.mine()


def test_a_longer_fork_becomes_the_best_chain(chain):
    replaced = chain.block_hash(101)
    chain.reorg(depth=2, extra=1)
    assert chain.tip() == 102
    assert chain.block(replaced, 1)["confirmations"] == -1
