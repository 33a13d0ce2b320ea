"""Money crossing the chain boundary: whole coins to integer units and back
exactly, and a Bitcoin payment whose inputs equal amount + change + fee."""

from decimal import Decimal

import pbk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain.bitcoinlib_home import Key
from chain.btc_transactions import DUST, Coin, build, select, to_satoshis, vsize
from chain.errors import InsufficientHotFunds
from chain.evm_tokens import to_coins, to_units

HOT = Key(bytes.fromhex("33" * 32), network="regtest")
DESTINATION = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"


@given(units=st.integers(min_value=0, max_value=10**30), decimals=st.sampled_from([0, 6, 8, 18]))
def test_units_round_trip_exactly(units, decimals):
    assert to_units(to_coins(units, decimals), decimals) == units


@pytest.mark.parametrize("convert, amount", [
    (lambda amount: to_units(amount, 6), "0.0000001"),
    (lambda amount: to_units(amount, 18), "1e-19"),
    (to_satoshis, "0.000000001"),
])
def test_amounts_finer_than_the_unit_are_refused(convert, amount):
    with pytest.raises(ValueError, match="decimals"):
        convert(Decimal(amount))


coins = st.lists(st.integers(min_value=1_000, max_value=10**9), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(values=coins, share=st.fractions(min_value=0, max_value=1), rate=st.sampled_from(
    [Decimal(1), Decimal("2.5"), Decimal(10), Decimal(60)]))
def test_a_payment_spends_exactly_amount_change_and_fee(values, share, rate):
    available = [Coin(f"{n:064x}", n, value) for n, value in enumerate(values, 1)]
    amount = max(DUST, int(sum(values) * share))
    try:
        chosen, fee = select(available, amount, rate)
    except InsufficientHotFunds:
        assert sum(values) < amount + int(rate * vsize(len(values), 2)) + 1
        return
    payment = build(HOT, "regtest", chosen, DESTINATION, amount, fee, HOT.address(encoding="bech32"))
    tx = pbk.Transaction(bytes.fromhex(payment.raw))  # what was really signed
    outputs = [output.amount for output in tx.outputs]
    assert outputs[0] == amount and all(change >= DUST for change in outputs[1:])
    assert sum(c.satoshis for c in payment.spent) == sum(outputs) + payment.fee
    assert payment.fee >= rate * vsize(len(chosen), 2)
    assert str(tx.txid) == payment.txid
