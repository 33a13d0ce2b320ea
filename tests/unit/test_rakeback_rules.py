"""Rakeback rules without a database: the math, the split, periods, the flip, the switches.

rakeback = floor(wager x (100 - RTP) / 100 x loyalty percent) at the currency's
precision, split 10/20/30/40 by largest remainder so the parts sum exactly to
the total (docs/rakeback.md).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pytest

from api.config.business import ConfigError, load_config
from domain.betting.model import Bet
from domain.kernel.errors import Conflict
from domain.rakeback.flip import Flip, seed_hash, server_seed
from domain.kernel.money import ZERO, Currencies
from domain.kernel.periods import period_key
from domain.rakeback.model import RakebackAccount
from domain.rakeback.commands import periods_of, rakeback_of
from domain.rules import DEFAULT_LOYALTY, DEFAULT_SPLIT, RakebackRules, Rules
from domain.kernel.splits import ratio_split
from tests.factories import PROVIDER

D = Decimal
CURRENCIES = Currencies({"BTC": 8, "USDT": 6, "ETH": 18})
RULES = Rules(currencies=CURRENCIES)
# Stakes with every decimal place used, so that the rounding is exercised.
STAKES = {"BTC": "0.12345679", "USDT": "123.456789", "ETH": "1.234567890123456789"}
RTPS = ["99", "96.5", "97.31", "100"]
UTC = timezone.utc


def settled_bet(stake: str, currency: str = "USDT", *, rtp: str = "99", level: str = "Gold",
                house_game: bool = True) -> Bet:
    """A lost bet settled now (the ledger's clock) by a player at `level`."""
    bet = Bet(PROVIDER, "place-1", "p1", "dice", "round-1", currency, D(stake), D(stake),
              ZERO, D(rtp), "dice", "Originals", house_game)
    bet.settle("LOSS", ZERO, cash_payout=ZERO, bonus_payout=ZERO, request_id="settle-1",
               player_level=level)
    return bet


def test_gold_player_loses_1000_at_99_rtp(frozen_clock):
    parts, basis = rakeback_of(settled_bet("1000"), RULES)

    assert parts == {"INSTANT": D("0.5"), "DAILY": D("1"), "WEEKLY": D("1.5"),
                     "MONTHLY": D("2")}
    assert (basis["ggr"], basis["percent"], basis["total"]) == (D("10"), D("0.5"), D("5"))


@pytest.mark.parametrize("rtp", RTPS)
@pytest.mark.parametrize("level", list(DEFAULT_LOYALTY))
@pytest.mark.parametrize("currency", list(STAKES))
def test_every_level_rtp_and_currency_splits_exactly_into_the_total(
        frozen_clock, currency, level, rtp):
    quantum = CURRENCIES.get(currency).quantum
    stake = D(STAKES[currency])
    exact = stake * (100 - D(rtp)) / 100 * DEFAULT_LOYALTY[level]

    parts, basis = rakeback_of(settled_bet(STAKES[currency], currency, rtp=rtp,
                                           level=level), RULES)

    assert basis["total"] == exact.quantize(quantum, rounding=ROUND_DOWN)
    assert sum(parts.values()) == basis["total"]
    for bucket, part in parts.items():
        share = (basis["total"] * DEFAULT_SPLIT[bucket]).quantize(quantum, ROUND_DOWN)
        assert share <= part <= share + quantum, (bucket, part)
        assert part == part.quantize(quantum)
    if rtp == "100" or level == "Wood":
        assert basis["total"] == 0


def test_the_total_is_rounded_down_and_the_house_keeps_the_sub_unit(frozen_clock):
    # GGR 0.00333333 x 0.5 = 0.001666665 USDT: 0.001666 is paid, never 0.001667.
    _, basis = rakeback_of(settled_bet("0.333333"), RULES)

    assert basis["total"] == D("0.001666")


@pytest.mark.parametrize("units, expected", [
    (1, (0, 0, 0, 1)),   # remainders .1 .2 .3 .4: the one unit goes to MONTHLY
    (3, (0, 1, 1, 1)),   # .3 .6 .9 .2 after flooring 0 0 0 1
    (5, (0, 1, 2, 2)),   # a tie (.5 and .5) goes to the later bucket
    (10, (1, 2, 3, 4)),
])
def test_leftover_units_go_to_the_buckets_with_the_largest_remainders(units, expected):
    quantum = D("0.000001")
    parts = ratio_split(units * quantum, list(DEFAULT_SPLIT.values()), quantum)

    assert parts == [n * quantum for n in expected]


@pytest.mark.parametrize("switch, rate, house_game, total", [
    (False, "0.15", False, "5"),     # off by default: provider games like house games
    (True, "0.15", False, "4.25"),   # GGR 10 less 15% = 8.5, at 50%
    (True, "0.15", True, "5"),       # house games never pay the commission
    (True, "0.2", False, "4"),
])
def test_provider_commission_switch(frozen_clock, switch, rate, house_game, total):
    rules = Rules(currencies=CURRENCIES, rakeback=RakebackRules(
        provider_commission=switch, provider_commission_rate=D(rate)))

    _, basis = rakeback_of(settled_bet("1000", house_game=house_game), rules)

    assert basis["total"] == D(total)


@pytest.mark.parametrize("at, keys", [
    (datetime(2026, 1, 15, 12, tzinfo=UTC), ("2026-01-15", "2026-W03", "2026-01")),
    (datetime(2026, 1, 18, 23, 59, 59, tzinfo=UTC), ("2026-01-18", "2026-W03", "2026-01")),
    (datetime(2026, 1, 19, tzinfo=UTC), ("2026-01-19", "2026-W04", "2026-01")),
    (datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC), ("2026-01-31", "2026-W05", "2026-01")),
    (datetime(2026, 2, 1, tzinfo=UTC), ("2026-02-01", "2026-W05", "2026-02")),
    (datetime(2026, 12, 31, 12, tzinfo=UTC), ("2026-12-31", "2026-W53", "2026-12")),
    (datetime(2027, 1, 1, tzinfo=UTC), ("2027-01-01", "2026-W53", "2027-01")),
    (datetime(2027, 1, 4, tzinfo=UTC), ("2027-01-04", "2027-W01", "2027-01")),
])
def test_a_settlement_accrues_in_the_utc_day_iso_week_and_month_it_falls_in(
        frozen_clock, at, keys):
    frozen_clock.freeze(at)

    assert tuple(periods_of(settled_bet("10")).values()) == keys


def test_period_keys_sort_in_time_order_across_a_year_end():
    instants = [datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                datetime(2027, 1, 4, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)]
    for kind in ("day", "week", "month"):
        keys = [period_key(kind, at) for at in instants]
        assert keys == sorted(keys), kind


# The account's buckets (domain/rakeback/model.py), without a database.

PARTS = {"INSTANT": D("0.5"), "DAILY": D("1"), "WEEKLY": D("1.5"), "MONTHLY": D("2")}


def accrued_account(*days: str) -> RakebackAccount:
    """An account with the worked example's parts accrued on each of `days`."""
    account = RakebackAccount("p1", "USDT", server_seed_hash="0" * 64)
    for day in days:
        account.accrue(bet_id=f"bet-{day}", parts=PARTS, basis={}, periods={
            "DAILY": day, "WEEKLY": "2026-W03", "MONTHLY": "2026-01"})
    return account


def test_an_unlock_takes_everything_accrued_up_to_its_period_once():
    account = accrued_account("2026-01-15", "2026-01-16")

    account.unlock("DAILY", "2026-01-15", "forfeit")
    account.unlock("DAILY", "2026-01-15", "forfeit")   # fired twice
    account.unlock("DAILY", "2026-01-14", "forfeit")   # late

    assert account.claimable["DAILY"] == D("1")
    assert account.pending["DAILY"] == {"2026-01-16": D("1")}
    assert len(account.pending_events) == 4  # opened, two accruals, one unlock


@pytest.mark.parametrize("policy, claimable, forfeited", [
    ("forfeit", D("1"), D("1")), ("carry", D("2"), ZERO)])
def test_what_is_unclaimed_at_the_next_unlock_is_forfeited_or_carried(
        policy, claimable, forfeited):
    account = accrued_account("2026-01-15", "2026-01-16")
    account.unlock("DAILY", "2026-01-15", policy)

    account.unlock("DAILY", "2026-01-16", policy)

    assert account.claimable["DAILY"] == claimable
    forfeits = [e.amount for e in account.pending_events
                if isinstance(e, RakebackAccount.Forfeited)]
    assert forfeits == ([forfeited] if forfeited else [])


def test_a_claim_empties_the_bucket_and_an_empty_bucket_is_a_conflict():
    account = accrued_account("2026-01-15")
    paid = account.claim("INSTANT", request_id="c1", flip=None, double_rtp=D(1),
                         quantum=D("0.000001"), secret=b"s")

    assert (paid, account.claimable["INSTANT"]) == (D("0.5"), ZERO)
    with pytest.raises(Conflict):
        account.claim("INSTANT", request_id="c2", flip=None, double_rtp=D(1),
                      quantum=D("0.000001"), secret=b"s")


# Double-or-nothing (domain/rakeback/flip.py).

def test_ten_thousand_flips_win_about_half_the_time():
    wins = sum(Flip(server_seed(b"secret", f"p{n % 100}:USDT", n // 100), "", f"c{n}",
                    n // 100).won for n in range(10_000))

    assert 0.47 <= wins / 10_000 <= 0.53


def test_a_flip_is_recomputed_offline_from_its_revealed_seeds():
    seed = server_seed(b"secret", "p1:USDT", 0)
    flip = Flip(seed, seed_hash(seed), "my-seed", 0)

    # As docs/rakeback.md tells a player to check it, with the standard library only.
    digest = hmac.new(seed.encode(), b"my-seed:0", hashlib.sha256).hexdigest()
    assert hashlib.sha256(seed.encode()).hexdigest() == flip.server_seed_hash
    assert (digest, int(digest[:2], 16) < 128) == (flip.digest, flip.won)
    assert flip.honest


def test_a_revealed_seed_that_is_not_the_committed_one_is_not_honest():
    committed = seed_hash(server_seed(b"secret", "p1:USDT", 0))
    swapped = Flip(server_seed(b"secret", "p1:USDT", 1), committed, "my-seed", 0)

    assert not swapped.honest


# Configuration ([rakeback] in the business configuration file).

def config(tmp_path: Path, toml: str):
    path = tmp_path / "casino.toml"
    path.write_text(toml)
    return load_config(path)


def test_the_rakeback_section_sets_the_switches(tmp_path):
    rules = config(tmp_path, """
[rakeback]
unclaimed = "carry"
provider_commission = true
provider_commission_rate = "0.2"
refund_clawback = true
double_rtp = "0.99"
""").rules().rakeback

    assert (rules.unclaimed, rules.provider_commission, rules.provider_commission_rate,
            rules.refund_clawback, rules.double_rtp) == ("carry", True, D("0.2"), True,
                                                         D("0.99"))


def test_the_defaults_are_the_seed_rules(tmp_path):
    rules = config(tmp_path, "").rules().rakeback

    assert (dict(rules.loyalty), dict(rules.split)) == (DEFAULT_LOYALTY, DEFAULT_SPLIT)
    assert (rules.unclaimed, rules.provider_commission, rules.refund_clawback,
            rules.double_rtp) == ("forfeit", False, False, D(1))


@pytest.mark.parametrize("toml, mentions", [
    ('[rakeback]\ndouble_rtp = 0.99\n', "strings"),
    ('[rakeback]\nunclaimed = "keep"\n', "unclaimed"),
    ('[rakeback.split]\nINSTANT = "0.1"\nDAILY = "0.2"\nWEEKLY = "0.3"\nMONTHLY = "0.3"\n',
     "sums to 1"),
    ('[rakeback.loyalty]\nWood = "0"\n', "no percent for levels"),
])
def test_a_bad_rakeback_section_stops_the_start(tmp_path, toml, mentions):
    with pytest.raises(ConfigError, match=mentions):
        config(tmp_path, toml)

