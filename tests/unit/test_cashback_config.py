"""The [cashback] and [bonus] sections: defaults, overrides, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.config.business import ConfigError, load_config
from tests.factories import config_file

D = Decimal


def rules(tmp_path, toml: str):
    return load_config(config_file(tmp_path, toml)).rules().cashback


def test_without_a_section_the_default_is_the_seed_000_weekly_program(tmp_path):
    cashback = rules(tmp_path, "")
    assert list(cashback.programs) == ["vip"] and cashback.expiry_days is None
    assert cashback.tallied_kinds == ["week"]


def test_programs_tiers_levels_weights_and_expiry_are_overridable(tmp_path):
    cashback = rules(tmp_path, """
[cashback.programs.daily-slots]
model = "net_loss"
period = "daily"
categories = ["slots"]
bonuses_reduce_base = true
[cashback.programs.daily-slots.tiers.vip]
percent = "12.5"
max = "250"
min = "1"
wagering = "3"
[cashback.programs.daily-slots.levels]
Metal = "vip"
[cashback.programs.live]
model = "realtime"
period = "monthly"
[bonus]
weights = { slots = "1", live = "0.05" }
other_weight = "0"
expiry_days = 30
""")
    program = cashback.programs["daily-slots"]
    assert (program.kind, program.categories, program.bonuses_reduce_base) == (
        "day", frozenset({"slots"}), True)
    name, tier = program.tier_of("Metal")
    assert (name, tier.percent, tier.max_usd, tier.min_usd, tier.wagering) == (
        "vip", D("12.5"), D(250), D(1), D(3))
    assert program.tier_of("Gold") is None
    assert cashback.programs["live"].tier_of("Gold")[0] == "gold"
    assert (cashback.weight("live"), cashback.weight("dice"), cashback.expiry_days) == (
        D("0.05"), D(0), 30)
    assert cashback.tallied_kinds == ["day"]


@pytest.mark.parametrize(("toml", "mentions"), [
    ("[cashback.programs.x]\nmodel = \"lottery\"\n", "model"),
    ("[cashback.programs.x]\nperiod = \"hourly\"\n", "period"),
    ("[cashback.programs.x.levels]\nGold = \"diamond\"\n", "unknown tiers"),
    ("[cashback.programs.x.levels]\nKing = \"gold\"\n", "not on the VIP ladder"),
    ("[cashback.programs.x.tiers.t]\npercent = 10.5\n", "floats"),
    ("[cashback.programs.x.tiers.t]\npercent = \"101\"\n", "percent"),
    ("[cashback.programs.X]\n", "lower-case"),
    ("[cashback.programs.x]\ncolour = \"red\"\n", "colour"),
    ("[bonus]\nweights = { slots = \"1.5\" }\n", "weights"),
    ("[bonus]\nexpiry_days = 0\n", "expiry_days"),
])
def test_a_bad_cashback_or_bonus_setting_is_refused_at_start_up(tmp_path, toml, mentions):
    with pytest.raises(ConfigError, match=mentions):
        rules(tmp_path, toml)
