"""The adjustment log: who did what, the values before and after, and why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.fx import SetFxRates
from domain.job_run import JobRun
from projections.audited_actions import DESCRIBERS, Action, audited
from schedulers.periods import DAY, Period
from tests.factories import (
    add_game,
    adjust,
    caught_up,
    place_bet,
    set_limits,
    set_vip_level,
    settle_bet,
)


def log(services, **filters):
    return caught_up(services).adjustment_log.page(**filters)


def test_each_adjustment_lists_who_the_balance_before_and_after_and_why(services,
                                                                       frozen_clock):
    adjust(services, "p1", "USDT", "100", reason="welcome credit")
    adjust(services, "p1", "USDT", "-30.5", reason="chargeback")
    adjust(services, "p1", "USDT", "7", balance="bonus", reason="apology")
    newest, older, oldest = log(services)
    assert (oldest["kind"], oldest["actor"], oldest["subject"]) == (
        "ADJUSTMENT", "finance-1", "cash")
    assert (oldest["before"], oldest["after"]) == ({"cash": "0"}, {"cash": "100.000000"})
    assert (older["before"], older["after"], older["reason"]) == (
        {"cash": "100.000000"}, {"cash": "69.500000"}, "chargeback")
    assert (newest["subject"], newest["before"], newest["after"]) == (
        "bonus", {"bonus": "0"}, {"bonus": "7.000000"})
    assert {e["playerId"] for e in (newest, older, oldest)} == {"p1"}
    assert oldest["at"] == frozen_clock.now() and oldest["position"] < older["position"]


def test_bets_and_their_payouts_are_not_adjustments(services, frozen_clock):
    add_game(services)
    adjust(services, "p1", "USDT", "100")
    bet_id = place_bet(services, "p1", "10").result["betId"]
    settle_bet(services, bet_id, "WIN", "25")
    assert [e["kind"] for e in log(services)] == ["ADJUSTMENT", "GAME"]


def test_operator_actions_list_their_values_before_and_after(services, frozen_clock):
    add_game(services, rtp="99")
    add_game(services, rtp="96.5")
    set_limits(services, "p1", daily={"USDT": "50"})
    set_vip_level(services, "p1", "Gold")
    services.ledger.execute(SetFxRates(rates=(("BTC", Decimal("60000")),), actor="fin-2"))
    fx, vip, limits, game, created = log(services)
    assert (created["before"], created["after"]["rtp"]) == ({}, "99")
    assert (game["before"]["rtp"], game["after"]["rtp"], game["actor"]) == (
        "99", "96.5", "operator-1")
    assert (limits["before"], limits["after"], limits["reason"]) == (
        {"dailyLossLimits": {}, "selfExcludedUntil": None},
        {"dailyLossLimits": {"USDT": "50.000000"}, "selfExcludedUntil": None},
        "player request")
    assert (vip["before"], vip["after"], vip["actor"], vip["reason"]) == (
        {"level": "Wood"}, {"level": "Gold"}, "vip-manager-1", "VIP review")
    assert (fx["kind"], fx["before"], fx["after"], fx["actor"]) == (
        "FX_RATES", {"BTC": None}, {"BTC": "60000"}, "fin-2")


def test_filters_by_player_currency_kind_and_time_and_pages_newest_first(services,
                                                                        frozen_clock):
    start = frozen_clock.now()
    for n in range(5):
        frozen_clock.advance(timedelta(minutes=1))
        adjust(services, "p1" if n % 2 else "p2", "USDT" if n < 3 else "BTC", "1")
    add_game(services)
    assert len(log(services, player_id="p2")) == 3
    assert len(log(services, currency="BTC")) == 2
    assert len(log(services, kind="GAME")) == 1
    window = log(services, start=start + timedelta(minutes=2),
                 end=start + timedelta(minutes=4))
    assert [e["at"] for e in window] == [start + timedelta(minutes=m) for m in (3, 2)]
    first = log(services, kind="ADJUSTMENT", limit=2)
    rest = log(services, kind="ADJUSTMENT", limit=10, before=first[-1]["position"])
    positions = [e["position"] for e in first + rest]
    assert len(positions) == 5 and positions == sorted(positions, reverse=True)


def test_an_approved_action_is_one_registration(services, frozen_clock):
    """As the cashier's withdrawal approvals will be: a describer for an event class."""

    @audited(JobRun.Started, when=lambda event: event.trigger == "manual")
    def job_run(event, before, after):
        return Action("JOB_RUN", event.actor, f"job {after.name} {after.period}",
                      {"attempts": before.attempts}, {"attempts": after.attempts})

    try:
        services.job_runner.run("rakeback-unlock-daily", _yesterday(services),
                                actor="ops-1")
        [entry] = log(services)
    finally:
        del DESCRIBERS[JobRun.Started]
    assert (entry["kind"], entry["actor"], entry["before"], entry["after"]) == (
        "JOB_RUN", "ops-1", {"attempts": 0}, {"attempts": 1})


def test_the_log_rebuilt_from_zero_is_the_same(services, frozen_clock):
    adjust(services, "p1", "USDT", "100")
    set_vip_level(services, "p1", "Gold")
    live = caught_up(services).adjustment_log.dump()
    services.projections.rebuild("adjustment_log")
    assert services.adjustment_log.dump() == live and live["adjustment_log"]


def _yesterday(services):
    return Period.containing(DAY, services.job_runner.clock.now()).previous()


@pytest.fixture(autouse=True)
def _registry_untouched():
    before = dict(DESCRIBERS)
    yield
    assert DESCRIBERS == before
