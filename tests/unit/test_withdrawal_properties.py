"""Property: any withdrawal, confirmed or cancelled, balances in the journal.

For random amounts, fees charged and fees paid, every event's legs sum to zero,
pending withdrawals end at zero, the hot wallet's account moves by exactly what
left it (sent + fee paid), and network fees keep the fee charged less the fee
paid; a cancelled one gives the player back every unit."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.kernel.postings import (
    HOUSE_HOT_WALLET,
    HOUSE_NETWORK_FEES,
    HOUSE_PENDING_WITHDRAWALS,
)
from domain.cashier.withdrawals.model import Withdrawal
from domain.cashier.withdrawals.fees import fee_charged
from tests.factories import open_wallet

UNITS = st.integers(min_value=1, max_value=10**12).map(lambda n: Decimal(n).scaleb(-8))


def run(amount: Decimal, fee: Decimal, paid: Decimal, cancel: bool) -> Counter:
    wallet = open_wallet("p1", "BTC", cash=str(amount))
    wallet.collect_events()
    w = Withdrawal("p1", "r-1", "BTC", "bitcoin", amount, "bcrt1q", None, 0, 0, "p1")
    wallet.lock(w.lock_id, amount, request_id="r-1", reference=w.lock_id)
    w.sign("0xtx", "raw", None, fee, "BTC", amount - fee, fee)
    wallet.settle_lock(w.lock_id, request_id=w.lock_id, reference=w.lock_id)
    if cancel:
        w.fail("refused")
        w.cancel("ops", "given up")
        wallet.credit(amount, balance="cash", tag="WITHDRAWAL_RETURN", request_id="c",
                      reference=w.lock_id)
    else:
        w.broadcast()
        w.confirm(7, "0xblock", paid)
    totals: Counter = Counter()
    for event in wallet.collect_events() + w.collect_events():
        legs = event.legs() if callable(getattr(event, "legs", None)) else []
        assert sum((leg.amount for leg in legs), Decimal(0)) == 0
        for leg in legs:
            totals[leg.account] += leg.amount
    return totals


@given(UNITS, st.data())
def test_a_confirmed_withdrawal_balances_to_the_unit(amount, data):
    fee = Decimal(data.draw(st.integers(0, int(amount.scaleb(8)) - 1))).scaleb(-8)
    paid = Decimal(data.draw(st.integers(0, 2 * int(fee.scaleb(8)) + 1))).scaleb(-8)
    totals = run(amount, fee, paid, cancel=False)
    assert totals[HOUSE_PENDING_WITHDRAWALS] == 0
    assert totals[HOUSE_HOT_WALLET] == amount - fee + paid
    assert totals[HOUSE_NETWORK_FEES] == fee - paid
    assert totals["player:p1:available"] == -amount and totals["player:p1:locked"] == 0


@given(UNITS)
def test_a_cancelled_withdrawal_gives_back_every_unit(amount):
    totals = run(amount, Decimal(0), Decimal(0), cancel=True)
    assert totals[HOUSE_PENDING_WITHDRAWALS] == 0
    assert totals["player:p1:available"] == 0 and totals["player:p1:locked"] == 0


def test_the_fee_charged_is_the_native_fee_or_its_value_in_the_token_rounded_up():
    rates = {"ETH": Decimal(3000), "USDT": Decimal(1)}
    micro = Decimal("0.000001")
    assert fee_charged("ETH", "ETH", Decimal("0.00042"), rates, micro) == Decimal("0.00042")
    assert fee_charged("USDT", "ETH", Decimal("0.0000001234"), rates, micro) == Decimal(
        "0.000371")  # 0.0003702 USDT, rounded up
    assert fee_charged("USDC", "ETH", Decimal("0.001"), rates, micro) == 0  # no rate
