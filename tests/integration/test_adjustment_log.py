"""The adjustment log: who did what, the values before and after, and why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.fx import SetFxRates
from domain.wallet.model import wallet_id
from projections.engine.aggregate_states import AggregateStates
from projections.audit.audited_actions import DESCRIBERS, Action, audited
from domain.kernel.periods import DAY, Period
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
    bet_id = place_bet(services, "p1", "10").result.bet_id
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


def test_a_job_run_by_hand_is_listed_but_not_a_scheduled_one(services, frozen_clock):
    period = Period.containing(DAY, frozen_clock.now()).previous()
    services.job_runner.run("rakeback-unlock-daily", period, actor="ops-1")
    services.job_runner.run("rakeback-unlock-daily", period, trigger="schedule")
    [entry] = log(services, kind="JOB_RUN")
    assert (entry["actor"], entry["subject"], entry["before"], entry["after"]) == (
        "ops-1", f"job rakeback-unlock-daily {period}", {"attempts": 0, "outcome": None},
        {"attempts": 1, "outcome": "running"})


class Payout(LedgerAggregate):
    """Stands for the cashier's withdrawal, whose approval the lead will register."""

    @event("Requested")
    def __init__(self, player_id: str):
        self.player_id = player_id
        self.status = "PENDING_APPROVAL"

    @event("Approved")
    def approve(self, actor: str, reason: str) -> None:
        self.status = "APPROVED"


def test_an_approved_action_is_one_registration(services, frozen_clock):
    @audited(Payout.Approved)
    def payout_approved(event, before, after):
        return Action("PAYOUT_APPROVAL", event.actor, f"payout {after.id}",
                      {"status": before.status}, {"status": after.status}, event.reason,
                      after.player_id)

    payout = Payout("p1")
    payout.approve(actor="fin-2", reason="KYC checked")
    services.ledger.save(payout)
    try:
        [entry] = log(services)
    finally:
        del DESCRIBERS[Payout.Approved]
    assert (entry["kind"], entry["actor"], entry["reason"], entry["playerId"]) == (
        "PAYOUT_APPROVAL", "fin-2", "KYC checked", "p1")
    assert (entry["before"], entry["after"]) == ({"status": "PENDING_APPROVAL"},
                                                 {"status": "APPROVED"})


def test_the_log_rebuilt_from_zero_is_the_same(services, frozen_clock):
    adjust(services, "p1", "USDT", "100")
    set_vip_level(services, "p1", "Gold")
    live = caught_up(services).adjustment_log.dump()
    services.projections.rebuild("adjustment_log")
    assert services.adjustment_log.dump() == live and live["adjustment_log"]


@pytest.fixture(autouse=True)
def _registry_untouched():
    before = dict(DESCRIBERS)
    yield
    assert DESCRIBERS == before


def test_states_around_an_event_never_depend_on_what_was_kept(services, frozen_clock):
    """Rolled forward in memory, evicted, or seen again after a retry: the same states."""
    for player, amount in (("p1", "5"), ("p2", "3"), ("p1", "-2"), ("p1", "7")):
        adjust(services, player, "USDT", amount)
    ledger = services.ledger
    events = [e for p in ("p1", "p2") for e in ledger.events.get(wallet_id(p, "USDT"))]
    states = AggregateStates(ledger.repository, size=1)
    for event in [*events, events[2], events[1], *events[3:]]:
        before, after = states.around(event)
        version = event.originator_version
        assert after.cash == ledger.repository.get(event.originator_id,
                                                   version=version).cash
        if before is None:
            assert version == 1
        else:
            expected = ledger.repository.get(event.originator_id, version=version - 1)
            assert (before.version, before.cash) == (version - 1, expected.cash)
