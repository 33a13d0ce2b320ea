"""Cashback math without a database: tiers, the cap, the minimum, profit periods,
bonus reduction, gross bet, rounding; and the rules' own validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.cashback.calculation import calculate
from domain.cashback.rules import (
    DEFAULT_LEVELS,
    CashbackProgram,
    CashbackRules,
    CashbackTier,
)
from domain.players.vip import DEFAULT_LADDER

D = Decimal
USDT = D("0.000001")
BTC = D("0.00000001")
NET_LOSS = CashbackProgram("vip")


def figures(bets: str, wins: str, bonuses: str = "0") -> dict[str, Decimal]:
    return {"bets": D(bets), "wins": D(wins), "count": 2, "bonuses": D(bonuses)}


def cashback(program: CashbackProgram, level: str, bets: str, wins: str,
             bonuses: str = "0", *, quantum: Decimal = USDT,
             rate: str | None = "1") -> dict:
    return calculate(program, program.tier_of(level), figures(bets, wins, bonuses),
                     quantum, None if rate is None else D(rate))


def test_seed_000_worked_example_lost_1000_won_700_at_silver_is_30():
    result = cashback(NET_LOSS, "Silver", "1000", "700")
    assert (result["netLoss"], result["base"], result["percent"], result["amount"],
            result["reason"]) == (D(300), D(300), D(10), D(30), "")
    assert result["tier"] == "silver" and result["wagering"] == 1


@pytest.mark.parametrize(("level", "tier", "amount", "wagering"), [
    ("Wood", None, "0", "0"),
    ("Metal", None, "0", "0"),
    ("Bronze", "bronze", "50", "1"),
    ("Silver", "silver", "100", "1"),
    ("Gold", "gold", "150", "1"),
    ("Platinum", "platinum", "200", "0"),
    ("Diamond", "platinum", "200", "0"),
    ("Beast", "platinum", "200", "0"),
])
def test_every_vip_level_maps_to_its_tier_on_a_net_loss_of_1000(level, tier, amount,
                                                                 wagering):
    result = cashback(NET_LOSS, level, "3000", "2000")
    assert (result["tier"], result["amount"], result["wagering"]) == (
        tier, D(amount), D(wagering))
    if tier is None:
        assert result["reason"] == "no cashback tier for this VIP level"


@pytest.mark.parametrize(("level", "loss", "amount"), [
    ("Bronze", "2000", "100"),       # 5% of 2000 = 100: exactly the cap
    ("Bronze", "2000.02", "100"),    # over it: capped
    ("Silver", "10000", "500"),
    ("Gold", "50000", "2000"),
    ("Platinum", "1000000", "200000"),  # no cap
])
def test_the_tier_maximum_caps_the_amount(level, loss, amount):
    assert cashback(NET_LOSS, level, loss, "0")["amount"] == D(amount)


def test_the_cap_is_in_usd_converted_down_at_the_rate_in_force():
    result = cashback(NET_LOSS, "Bronze", "1", "0", quantum=BTC, rate="60000")
    # 5% of 1 BTC = 0.05 BTC; cap 100 USD = 0.00166666 BTC (rounded down).
    assert result["cap"] == D("0.00166666") and result["amount"] == D("0.00166666")


def test_a_tier_with_limits_and_no_usd_rate_is_skipped_with_a_reason():
    result = cashback(NET_LOSS, "Silver", "1000", "0", rate=None)
    assert result["reason"] == "no USD rate to convert the tier's limits"
    assert cashback(NET_LOSS, "Platinum", "1000", "0", rate=None)["amount"] == D(200)


@pytest.mark.parametrize(("bets", "wins", "reason"), [
    ("1000", "1000", "no net loss"),    # even
    ("1000", "1500", "no net loss"),    # a profit period
    ("0", "0", "no net loss"),
])
def test_a_period_without_a_net_loss_is_skipped(bets, wins, reason):
    result = cashback(NET_LOSS, "Gold", bets, wins)
    assert (result["amount"], result["reason"]) == (D(0), reason)
    assert result["netLoss"] == D(bets) - D(wins)


def test_below_the_minimum_is_skipped_and_at_the_minimum_is_paid():
    tiers = {"silver": CashbackTier(D(10), D(500), min_usd=D(5))}
    program = CashbackProgram("p", tiers=tiers, levels={"Silver": "silver"})
    assert cashback(program, "Silver", "49.99", "0")["reason"] == "below the minimum cashback"
    paid = cashback(program, "Silver", "50", "0")
    assert (paid["amount"], paid["reason"], paid["minimum"]) == (D(5), "", D(5))


def test_a_cashback_that_rounds_to_zero_is_skipped():
    result = cashback(NET_LOSS, "Bronze", "0.000019", "0")  # 5% = 0.00000095
    assert (result["amount"], result["reason"]) == (D(0), "the amount rounds to zero")


def test_the_amount_rounds_down_to_the_currency_precision():
    assert cashback(NET_LOSS, "Silver", "0.333333", "0")["amount"] == D("0.033333")


@pytest.mark.parametrize(("bonuses", "base", "amount", "reason"), [
    ("100", "200", "20", ""),
    ("300", "0", "0", "losses covered by bonuses"),
    ("450", "0", "0", "losses covered by bonuses"),
])
def test_bonuses_received_reduce_the_base_when_the_program_says_so(bonuses, base,
                                                                   amount, reason):
    program = CashbackProgram("p", bonuses_reduce_base=True)
    result = cashback(program, "Silver", "1000", "700", bonuses)
    assert (result["base"], result["amount"], result["reason"]) == (
        D(base), D(amount), reason)
    assert cashback(NET_LOSS, "Silver", "1000", "700", bonuses)["amount"] == D(30)


def test_gross_bet_pays_a_percent_of_everything_wagered_even_in_profit():
    program = CashbackProgram("g", model="gross_bet", tiers={
        "vip": CashbackTier(D("0.5"), None, wagering=D(0))}, levels={"Gold": "vip"})
    result = cashback(program, "Gold", "10000", "12000")
    assert (result["base"], result["amount"], result["netLoss"]) == (
        D(10000), D(50), D(-2000))
    assert cashback(program, "Gold", "0", "0")["reason"] == "no bets"


def test_default_rules_are_seed_000_and_the_issue_level_map():
    program = CashbackRules().programs["vip"]
    assert (program.model, program.period, program.kind) == ("net_loss", "weekly", "week")
    assert {n: (t.percent, t.max_usd, t.wagering) for n, t in program.tiers.items()} == {
        "bronze": (5, 100, 1), "silver": (10, 500, 1), "gold": (15, 2000, 1),
        "platinum": (20, None, 0)}
    assert set(DEFAULT_LEVELS) == {n for n, _ in DEFAULT_LADDER} - {"Wood", "Metal"}


def test_eligible_categories_and_wagering_weights():
    program = CashbackProgram("p", categories=frozenset({"slots"}))
    assert program.eligible("slots") and not program.eligible("live")
    rules = CashbackRules()
    assert (rules.weight("slots"), rules.weight("live"), rules.weight("dice")) == (
        D(1), D("0.1"), D(1))


@pytest.mark.parametrize("bad", [
    {"model": "cashback"}, {"period": "hourly"}, {"levels": {"Gold": "nothing"}}])
def test_a_program_that_names_no_model_period_or_tier_is_refused(bad):
    with pytest.raises(ValueError):
        CashbackProgram("p", **bad)


def test_a_tier_whose_max_is_below_its_min_is_refused():
    with pytest.raises(ValueError):
        CashbackTier(D(5), D(1), min_usd=D(2))
