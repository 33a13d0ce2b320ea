"""The Player aggregate: limits, today's net loss per UTC day, XP and the VIP ladder.

No database: days come from the frozen ledger clock (2026-01-15 12:00 UTC), and
replays go through an in-memory eventsourcing application.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from eventsourcing.application import Application

from domain.kernel.errors import InvalidInput
from domain.kernel.fx import in_usd
from domain.players.model import BetRejected, Player, player_key
from domain.players.vip import DEFAULT_LADDER, VipLadder
from tests.factories import new_player

D = Decimal
POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
LADDER = VipLadder()
DAY1, DAY2 = date(2026, 1, 15), date(2026, 1, 16)
NOON = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
MIDNIGHT = datetime(2026, 1, 16, 0, 0, tzinfo=timezone.utc)


def play(player: Player, net_loss: str, xp: str = "0", currency: str = "USDT",
         bet_id: str = "b1", ladder: VipLadder = LADDER) -> None:
    player.record_play(bet_id=bet_id, currency=currency, net_loss=D(net_loss), xp=D(xp),
                       ladder=ladder)


def reverse(player: Player, net_loss: str, played_at: datetime = NOON, bet_id: str = "b1",
            currency: str = "USDT") -> None:
    """A refund or rollback of the play settled at `played_at`."""
    player.reverse_play(bet_id=bet_id, currency=currency, net_loss=D(net_loss),
                        played_at=played_at)


def limit(player: Player, daily: dict[str, str] | None = None,
          until: datetime | None = None) -> None:
    player.set_limits(self_excluded_until=until,
                      daily_loss_limits={c: D(a) for c, a in (daily or {}).items()},
                      actor="compliance-1", reason="player request")


def may_bet(player: Player, stake: str, *, open_stakes: str = "0", currency: str = "USDT",
            now: datetime | None = None) -> str:
    """"OK", or the reason the player may not bet now."""
    try:
        player.check_may_bet(currency, D(stake), D(open_stakes), now or NOON)
    except BetRejected as rejected:
        return rejected.reason
    return "OK"


def player_state(player: Player) -> dict:
    return {name: getattr(player, name) for name in (
        "id", "version", "player_id", "level", "xp", "self_excluded_until",
        "daily_loss_limits", "loss_day", "day_loss")}


def test_new_player_starts_at_the_bottom_with_nothing_counted():
    player = new_player("alice")
    assert player.id == player_key("alice")
    assert (player.level, player.xp, player.self_excluded_until) == ("Wood", D(0), None)
    assert player.daily_loss_limits == {}
    assert player.net_loss_on(DAY1, "USDT") == 0


def test_bet_rejected_is_invalid_input_with_a_stable_reason():
    rejected = BetRejected("MAX_STAKE", "too much")
    assert isinstance(rejected, InvalidInput)
    assert (rejected.reason, rejected.message, rejected.code) == (
        "MAX_STAKE", "too much", "bet_rejected")


# Today's net loss.

def test_settled_plays_add_their_net_loss_to_the_utc_day_per_currency(frozen_clock):
    player = new_player()
    play(player, "10")
    play(player, "-4", bet_id="b2")          # a win above the stake
    play(player, "0.001", currency="BTC", bet_id="b3")
    assert player.net_loss_on(DAY1, "USDT") == D(6)
    assert player.net_loss_on(DAY1, "BTC") == D("0.001")
    assert player.net_loss_on(DAY1, "ETH") == 0


def test_net_loss_resets_at_midnight_utc(frozen_clock):
    player = new_player()
    frozen_clock.freeze(MIDNIGHT - timedelta(microseconds=1))
    play(player, "50")
    assert player.net_loss_on(DAY1, "USDT") == D(50)
    frozen_clock.freeze(MIDNIGHT)
    assert player.net_loss_on(DAY2, "USDT") == 0
    play(player, "7", bet_id="b2")
    assert player.net_loss_on(DAY2, "USDT") == D(7)


def test_the_day_is_the_utc_day_whatever_the_local_time(frozen_clock):
    player = new_player()
    new_york = timezone(timedelta(hours=-5))
    frozen_clock.freeze(datetime(2026, 1, 15, 20, 0, tzinfo=new_york))  # 01:00 UTC on the 16th
    play(player, "9")
    assert (player.loss_day, player.net_loss_on(DAY2, "USDT")) == (DAY2, D(9))
    assert player.net_loss_on(DAY1, "USDT") == 0


def test_reversed_play_no_longer_counts_today_but_keeps_its_xp(frozen_clock):
    player = new_player()
    play(player, "30", xp="30")
    reverse(player, "30")
    assert player.net_loss_on(DAY1, "USDT") == 0
    assert player.xp == D(30)


def test_reversing_yesterdays_play_leaves_todays_loss_alone(frozen_clock):
    player = new_player()
    play(player, "100")
    frozen_clock.freeze(MIDNIGHT + timedelta(hours=1))
    play(player, "20", bet_id="b2")
    reverse(player, "100", played_at=NOON)
    assert player.net_loss_on(DAY2, "USDT") == D(20)


# Limits.

def test_self_excluded_player_may_not_bet_until_the_exclusion_ends(frozen_clock):
    player = new_player()
    until = NOON + timedelta(days=30)
    limit(player, until=until)
    assert may_bet(player, "1") == "SELF_EXCLUDED"
    assert may_bet(player, "1", now=until - timedelta(seconds=1)) == "SELF_EXCLUDED"
    assert may_bet(player, "1", now=until) == "OK"


def test_self_exclusion_is_checked_before_the_loss_limit(frozen_clock):
    player = new_player()
    limit(player, {"USDT": "0"}, until=NOON + timedelta(hours=1))
    assert may_bet(player, "1") == "SELF_EXCLUDED"


def test_daily_loss_limit_counts_todays_loss_open_stakes_and_this_stake(frozen_clock):
    player = new_player()
    limit(player, {"USDT": "100"})
    play(player, "60")
    assert may_bet(player, "30", open_stakes="10") == "OK"            # 60 + 10 + 30 = 100
    assert may_bet(player, "30.000001", open_stakes="10") == "DAILY_LOSS_LIMIT"
    assert may_bet(player, "41") == "DAILY_LOSS_LIMIT"
    assert may_bet(player, "1000", currency="BTC") == "OK"            # no BTC limit


def test_a_win_today_makes_room_under_the_loss_limit(frozen_clock):
    player = new_player()
    limit(player, {"USDT": "100"})
    play(player, "100")
    assert may_bet(player, "1") == "DAILY_LOSS_LIMIT"
    play(player, "-40", bet_id="b2")
    assert may_bet(player, "40") == "OK"


def test_daily_loss_limit_starts_afresh_at_midnight_utc(frozen_clock):
    player = new_player()
    limit(player, {"USDT": "100"})
    play(player, "100")
    assert may_bet(player, "1", now=MIDNIGHT - timedelta(microseconds=1)) == "DAILY_LOSS_LIMIT"
    assert may_bet(player, "100", now=MIDNIGHT) == "OK"


def test_a_zero_loss_limit_forbids_every_bet_in_that_currency(frozen_clock):
    player = new_player()
    limit(player, {"USDT": "0"})
    assert may_bet(player, "0.000001") == "DAILY_LOSS_LIMIT"


def test_limits_replace_the_previous_ones(frozen_clock):
    player = new_player()
    limit(player, {"USDT": "5", "BTC": "1"}, until=NOON + timedelta(days=1))
    limit(player, {"BTC": "2"})
    assert (player.self_excluded_until, player.daily_loss_limits) == (None, {"BTC": D(2)})
    assert may_bet(player, "500") == "OK"


@pytest.mark.parametrize("daily, until", [
    ({"USDT": "-1"}, None),
    ({}, datetime(2026, 2, 1, 12, 0)),  # naive: no time zone
])
def test_negative_limits_and_naive_exclusion_times_are_refused(daily, until):
    player = new_player()
    with pytest.raises(InvalidInput):
        limit(player, daily, until=until)
    assert player.version == 1


# XP and the VIP ladder.

def test_xp_reaching_a_threshold_exactly_raises_the_level(frozen_clock):
    player = new_player()
    play(player, "0", xp="999.99")
    assert player.level == "Wood"
    play(player, "0", xp="0.01", bet_id="b2")
    assert (player.level, player.xp) == ("Metal", D(1000))
    changed = player.pending_events[-1]
    assert (changed.level, changed.previous, changed.cause) == ("Metal", "Wood", "XP")


def test_a_big_play_jumps_several_levels_in_one_change(frozen_clock):
    player = new_player()
    play(player, "0", xp="120000")
    assert player.level == "Gold"
    changes = [e for e in player.pending_events if type(e).__name__ == "LevelChanged"]
    assert [(e.previous, e.level) for e in changes] == [("Wood", "Gold")]


def test_every_level_of_the_ladder_is_reached_in_order(frozen_clock):
    player = new_player()
    reached = []
    for name, threshold in DEFAULT_LADDER[1:]:
        play(player, "0", xp=str(threshold - player.xp), bet_id=name)
        reached.append(player.level)
    assert reached == [name for name, _ in DEFAULT_LADDER[1:]]
    play(player, "0", xp="1", bet_id="more")
    assert player.level == "Beast"


def test_level_never_drops_by_itself(frozen_clock):
    player = new_player()
    play(player, "100", xp="6000")
    reverse(player, "100")
    assert (player.level, player.xp) == ("Bronze", D(6000))


def test_manual_level_is_recorded_with_its_reason_and_kept_by_later_play(frozen_clock):
    player = new_player()
    player.set_level("Gold", ladder=LADDER, actor="vip-manager-1", reason="whale")
    changed = player.pending_events[-1]
    assert (changed.level, changed.previous, changed.cause, changed.note) == (
        "Gold", "Wood", "MANUAL", "vip-manager-1: whale")
    play(player, "0", xp="6000")              # Bronze by XP: below the manual Gold
    assert player.level == "Gold"
    play(player, "0", xp="100000", bet_id="b2")
    assert player.level == "Gold"
    play(player, "0", xp="400000", bet_id="b3")
    assert player.level == "Platinum"


def test_setting_the_same_level_records_nothing():
    player = new_player(level="Silver")
    player.set_level("Silver", ladder=LADDER, actor="vip-manager-1", reason="review")
    assert player.version == 1


@pytest.mark.parametrize("level, reason", [("Emerald", "promo"), ("Gold", "  ")])
def test_unknown_level_or_empty_reason_is_refused(level, reason):
    player = new_player()
    with pytest.raises(InvalidInput):
        player.set_level(level, ladder=LADDER, actor="vip-manager-1", reason=reason)
    assert (player.level, player.version) == ("Wood", 1)


def test_a_casinos_own_ladder_sets_the_thresholds(frozen_clock):
    ladder = VipLadder((("Rookie", D(0)), ("Pro", D(50))))
    player = new_player(level="Rookie")
    play(player, "0", xp="50", ladder=ladder)
    assert player.level == "Pro"


@pytest.mark.parametrize("levels", [
    (), (("Wood", D(1)),), (("Wood", D(0)), ("Metal", D(0))),
    (("Wood", D(0)), ("Metal", D(10)), ("Bronze", D(5)))])
def test_a_ladder_starts_at_zero_and_rises_strictly(levels):
    with pytest.raises(ValueError):
        VipLadder(levels)


def test_ladder_names_levels_and_ranks():
    assert LADDER.level_for(D(0)) == "Wood"
    assert LADDER.level_for(D("4999.99")) == "Metal"
    assert LADDER.level_for(D(10_000_000)) == "Beast"
    assert [LADDER.rank(n) for n in ("Wood", "Gold", "Beast")] == [0, 4, 7]


@pytest.mark.parametrize("amount, rate, usd", [
    ("0.001", "60000", "60.00"), ("10.005", "1", "10.00"), ("10.015", "1", "10.02"),
    ("3", "0", "0.00"), ("0.00000001", "60000", "0.00")])
def test_xp_is_the_stake_in_usd_rounded_half_even_to_cents(amount, rate, usd):
    assert in_usd(D(amount), D(rate)) == D(usd)


# Replay.

def busy_player(clock) -> Player:
    """Limits, plays on two UTC days, a reversal and two level changes."""
    player = new_player()
    limit(player, {"USDT": "100"}, until=NOON + timedelta(days=7))
    play(player, "20", xp="600")
    clock.freeze(MIDNIGHT + timedelta(hours=1))
    play(player, "15", xp="500", bet_id="b2")
    play(player, "0.01", xp="600", currency="BTC", bet_id="b3")
    reverse(player, "5", played_at=MIDNIGHT, bet_id="b2")
    player.set_level("Silver", ladder=LADDER, actor="vip-manager-1", reason="review")
    return player


def test_state_after_each_command_is_rebuilt_from_the_events_alone(frozen_clock):
    player = new_player()
    live = {player.version: player_state(player)}
    for step in (lambda: limit(player, {"USDT": "100"}),
                 lambda: play(player, "20", xp="1200"),      # and up to Metal
                 lambda: frozen_clock.advance(timedelta(days=1)),
                 lambda: play(player, "5", bet_id="b2"),
                 lambda: reverse(player, "5", played_at=MIDNIGHT, bet_id="b2")):
        step()
        live[player.version] = player_state(player)
    state, replayed = None, {}
    for event in player.pending_events:
        state = event.mutate(state)
        replayed[state.version] = player_state(state)
    assert {v: replayed[v] for v in live} == live
    assert [s["level"] for s in replayed.values()] == [
        "Wood", "Wood", "Wood", "Metal", "Metal", "Metal"]
    assert (state.loss_day, state.day_loss) == (DAY2, {"USDT": D(0)})


def test_player_read_back_later_keeps_each_play_on_its_own_day(frozen_clock):
    app = Application(env=POPO)
    player = busy_player(frozen_clock)
    app.save(player)
    frozen_clock.advance(timedelta(days=3))  # replaying later must not move the plays
    read = app.repository.get(player.id)
    assert player_state(read) == player_state(player)
    assert read.loss_day == DAY2
    assert read.day_loss == {"USDT": D(10), "BTC": D("0.01")}
    assert (read.level, read.xp) == ("Silver", D(1700))
    assert read.self_excluded_until == NOON + timedelta(days=7)
