"""Balances as of a past instant, replayed from the wallets' own events.

A scripted history (adjustments, bets won, lost, refunded, a rakeback claim, a
bonus) runs one step a minute; after each step the live balances view is
captured. Afterwards, the balances as of each captured instant (and of any
moment between two steps) must equal what the live view showed then.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.betting.model import bet_key
from domain.kernel.errors import InvalidInput
from projections.audit.history import balances_as_of, log_position_at
from domain.kernel.clock import parse_instant
from domain.rakeback.commands import ClaimRakeback
from tests.factories import (
    PROVIDER,
    add_game,
    adjust,
    caught_up,
    place_bet,
    refund_bet,
    set_vip_level,
    settle_bet,
)

FIGURES = ("currency", "cash", "bonus", "locked", "bonusLocked", "available", "position")


def live_view(services, player):
    """What the balances view shows now, by currency."""
    return {row["currency"]: {f: row[f] for f in FIGURES}
            for row in caught_up(services).balances.for_player(player)}


def replayed(services, player, at):
    found = balances_as_of(services.ledger, services.projections, player, at)
    return {w["currency"]: {f: w[f] for f in FIGURES} for w in found["balances"]}


def bet(request_id):
    return str(bet_key(PROVIDER, request_id))


def scripted_history(services, clock):
    """Each step a minute after the last; the live view's figures after each step."""
    add_game(services)
    set_vip_level(services, "p1", "Gold")
    steps = [
        lambda: adjust(services, "p1", "USDT", "500"),
        lambda: adjust(services, "p1", "BTC", "0.5"),
        lambda: adjust(services, "p1", "USDT", "25", balance="bonus"),
        lambda: place_bet(services, "p1", "40", request_id="b1"),
        lambda: settle_bet(services, bet("b1"), "WIN", "90"),
        lambda: place_bet(services, "p1", "200", request_id="b2"),
        lambda: settle_bet(services, bet("b2"), "LOSS"),
        lambda: place_bet(services, "p1", "30", request_id="b3"),
        lambda: refund_bet(services, bet("b3")),
        lambda: services.ledger.execute(ClaimRakeback("claim-1", "p1", "INSTANT", False,
                                                      "seed")),
        lambda: adjust(services, "p1", "USDT", "-12.5", reason="chargeback"),
        lambda: adjust(services, "p1", "BTC", "-0.1"),
    ]
    seen = [(clock.now(), live_view(services, "p1"))]
    for step in steps:
        clock.advance(timedelta(minutes=1))
        step()
        seen.append((clock.now(), live_view(services, "p1")))
    return seen


def test_balances_as_of_each_instant_equal_what_the_live_view_showed_then(
        services, frozen_clock):
    seen = scripted_history(services, frozen_clock)
    frozen_clock.advance(timedelta(hours=1))
    assert seen[-1][1]["USDT"]["bonus"] > 0  # the claim and the bonus did land
    for at, live in seen:
        assert replayed(services, "p1", at) == live, at
        halfway = at + timedelta(seconds=30)  # between two steps: as of the earlier one
        assert replayed(services, "p1", halfway) == live, halfway


def test_the_answer_names_the_log_position_of_the_last_wallet_event(services,
                                                                   frozen_clock):
    seen = scripted_history(services, frozen_clock)
    at, live = seen[5]
    found = balances_as_of(services.ledger, services.projections, "p1", at)
    assert found["position"] == max(w["position"] for w in live.values())
    assert found["at"] == at
    assert [w["currency"] for w in found["balances"]] == sorted(live)
    # The log's last event at or before `at` (of any aggregate) is no earlier.
    assert found["logPosition"] == log_position_at(services.projections, at) >= found["position"]


def test_before_the_first_event_a_player_has_no_wallets(services, frozen_clock):
    before = frozen_clock.now()
    frozen_clock.advance(timedelta(minutes=1))
    adjust(services, "p1", "USDT", "10")
    assert balances_as_of(services.ledger, services.projections, "p1", before) == {
        "playerId": "p1", "at": before, "position": 0, "logPosition": 0, "balances": []}
    assert log_position_at(services.projections, before) == 0


def test_a_wallet_with_more_events_than_the_snapshot_interval(services, frozen_clock):
    """Snapshots every 100 versions: a past version is still exact."""
    marks = []
    for n in range(1, 131):
        frozen_clock.advance(timedelta(seconds=1))
        adjust(services, "p1", "USDT", "1")
        marks.append((frozen_clock.now(), Decimal(n)))
    for at, cash in marks[::13] + marks[-1:]:
        [wallet] = balances_as_of(services.ledger, services.projections, "p1", at)["balances"]
        assert wallet["cash"] == cash and wallet["version"] == int(cash) + 1


def test_a_future_instant_is_refused(services, frozen_clock):
    with pytest.raises(InvalidInput, match="in the future"):
        balances_as_of(services.ledger, services.projections, "p1", frozen_clock.now() + timedelta(seconds=1))


@pytest.mark.parametrize("text", ["2026-01-15T12:00:00", "2026-01-15", "yesterday", ""])
def test_an_instant_without_a_time_zone_or_unreadable_is_refused(text):
    with pytest.raises(InvalidInput, match="at:"):
        parse_instant(text)


def test_an_instant_with_an_offset_is_read_in_utc():
    assert parse_instant("2026-01-15T14:00:00+02:00") == datetime(
        2026, 1, 15, 12, tzinfo=timezone.utc)
    assert parse_instant("2026-01-15T12:00:00Z") == datetime(2026, 1, 15, 12,
                                                             tzinfo=timezone.utc)
