"""Typed command results: what a Request record keeps, and what a repeat gets
back, for results recorded today and by the code before results were typed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.betting.commands import BetPlaced, BetSettled, RoundSettled
from domain.commanding.request import Request
from domain.commanding.results import RESULT_TYPES, result_from, stored_result
from domain.legacy_results import register_legacy_results
from tests.fixtures.legacy_log import decoded_events

SETTLED = RoundSettled("round-1", (BetSettled(
    balance_after=D("19.50"), cash_after=D("19.50"), bonus_after=D(0), bet_id="b1",
    outcome="WIN", payout=D("19.500000"), currency="USDT"),))


def test_a_result_is_kept_in_the_domains_terms_with_its_type_name():
    assert stored_result(SETTLED) == {"type": "round-settled", "value": {
        "round_id": "round-1", "bets": [{
            "balance_after": "19.50", "cash_after": "19.50", "bonus_after": "0",
            "bet_id": "b1", "outcome": "WIN", "payout": "19.500000",
            "currency": "USDT"}]}}


def test_a_result_that_is_not_typed_is_never_kept():
    with pytest.raises(TypeError, match="not a result registered"):
        stored_result({"betId": "b1", "balanceAfter": "19.50"})


def test_a_kept_result_comes_back_as_the_same_typed_value():
    again = result_from(stored_result(SETTLED), "settlement:provider-1")
    assert again == SETTLED and isinstance(again.bets, tuple)
    assert str(again.bets[0].payout) == "19.500000"  # its scale too


def test_results_recorded_before_they_were_typed_replay_as_typed_values():
    register_legacy_results()
    old = [e for e in decoded_events() if isinstance(e, Request.Recorded)]
    assert len({e.kind for e in old}) == 8
    for recorded in old:
        result = result_from(recorded.result, recorded.kind)
        assert type(result) in RESULT_TYPES.values(), recorded.kind
        assert result_from(stored_result(result), recorded.kind) == result
    placed = next(e for e in old if e.kind.startswith("bet:"))
    assert result_from(placed.result, placed.kind) == BetPlaced(
        balance_after=D("50010.000000"), cash_after=D("49985.000000"),
        bonus_after=D("25.000000"), bet_id="44ed5f3c-79d4-5582-8c33-a2503c2d0446",
        currency="USDT", hold=D("10.000000"), cash_part=D("10.000000"),
        bonus_part=D("0.000000"))
