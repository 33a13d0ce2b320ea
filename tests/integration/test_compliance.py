"""Compliance rules on SQLite and PostgreSQL, one scenario per rule (docs/compliance.md).

One ledger per backend serves the module (each test has players of its own);
each test starts its clock on a Monday noon later than the test before, so the
log's times only move forward and each starts in a week of its own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import ClassVar

import pytest

from domain.bonus.commands import grant_bonus
from domain.cashier.deposits.addresses import AssignDepositAddress
from domain.cashier.deposits.commands import Incoming, OpenWatch, ScanBlock
from domain.cashier.deposits.model import deposit_key
from domain.cashier.withdrawals.commands import RequestWithdrawal
from domain.commanding.results import command_result
from domain.compliance.commands import (
    LiftReviewHold,
    SetKycStatus,
    SetProfile,
    SetRgLimit,
    TakeTimeOut,
)
from domain.compliance.deposits import ReleaseDeposit
from domain.compliance.refusals import BetBlocked, LimitRefused
from domain.kernel.clock import clock
from tests.conftest import BACKENDS
from domain.betting.commands import BetOutcome, SettleRound
from domain.betting.transactions import BetInRound, WinInRound
from tests.factories import (
    GAME,
    PROVIDER,
    add_game,
    caught_up,
    config_file,
    credit,
    fresh_services,
    module_ledger,
    place_bet,
    player_of,
    roll_back_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
CONFIG = """
[compliance]
cooling_off_hours = 24
profile_by_level = { Gold = "VIP_A" }
blocked_countries = { "provider-1" = ["US"] }
blocked_countries_by_game = { "slot-x" = ["FR"] }
[compliance.kyc.none]
withdrawal = { USDT = "100" }
deposit = { USDT = "500" }
max_bet = { USD = "1000" }
[compliance.kyc.verified]
withdrawal = { USDT = "10000" }
deposit = { USDT = "100000" }
[compliance.profiles.DEFAULT]
max_stake = { USDT = "300" }
[compliance.profiles.VIP_A]
max_stake = { USDT = "900" }
max_payout = { USDT = "2000" }
withdrawal_per_day = { USDT = "5000" }
[compliance.signals]
enabled = true
min_stake = { USDT = "0.1" }
min_stake_run = 5
void_burst = 3
hold = ["withdrawals"]
[cashier.chains.ethereum]
kind = "evm"
currencies = ["ETH", "USDT"]
confirmations = 2
"""
MONDAY = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)
WEEKS = itertools.count()


@pytest.fixture(scope="module", params=BACKENDS)
def services(request, tmp_path_factory):
    yield from module_ledger(request, tmp_path_factory, CONFIG, MONDAY, (
        ("dice-99", "dice"), ("slot-x", "slots"), ("table-1", "table")))


@pytest.fixture
def week(services):
    """A Monday noon of a week no earlier test used."""
    clock.freeze(MONDAY + timedelta(weeks=10 * next(WEEKS) + 10))
    return clock


def refused(services, player, stake, **kwargs) -> BetBlocked:
    with pytest.raises(BetBlocked) as caught:
        place_bet(services, player, stake, **kwargs)
    return caught.value


def lose(services, player, stake, **kwargs) -> str:
    bet_id = place_bet(services, player, stake, **kwargs).result.bet_id
    settle_bet(services, bet_id, "LOSS")
    return bet_id


def limit(services, player, kind, period, amount, actor="player:me"):
    return services.ledger.execute(SetRgLimit(
        player, actor, kind, period, "USDT", None if amount is None else D(amount))).result


def withdraw(services, player, amount, request_id):
    return services.ledger.execute(RequestWithdrawal(
        request_id, player, "USDT", D(amount), "0x" + "ab" * 20, 0, player))


def test_a_loss_limit_raised_and_used_before_its_cooling_off_ends_is_refused(
        services, week):
    credit(services, "rg-1", "USDT", "1000")
    limit(services, "rg-1", "loss", "week", "100")
    lose(services, "rg-1", "80")
    standing = limit(services, "rg-1", "loss", "week", "500")
    assert [(s.amount, s.pending) for s in standing.limits] == [(D(100), D(500))]
    blocked = refused(services, "rg-1", "30")
    assert (blocked.reason, blocked.rule) == ("RG_BLOCKED", "LOSS_LIMIT_WEEKLY")
    week.advance(timedelta(hours=23, minutes=59))
    assert refused(services, "rg-1", "30").rule == "LOSS_LIMIT_WEEKLY"
    week.advance(timedelta(minutes=1))
    lose(services, "rg-1", "30")  # the raise is in force: 110 of 500


def test_a_lowered_wager_limit_binds_at_once_and_deposits_limits_hold_a_deposit(
        services, week):
    credit(services, "rg-2", "USDT", "1000")
    lose(services, "rg-2", "50")
    limit(services, "rg-2", "wager", "day", "60")
    assert refused(services, "rg-2", "20").rule == "WAGER_LIMIT_DAILY"
    lose(services, "rg-2", "10")
    week.advance(timedelta(days=1))  # a new UTC day: the daily wager starts at 0
    lose(services, "rg-2", "60")


def test_a_time_out_ends_on_time(services, week):
    credit(services, "rg-3", "USDT", "100")
    services.ledger.execute(TakeTimeOut("to-1", "rg-3", 24, "player:rg-3"))
    assert refused(services, "rg-3", "1").rule == "TIME_OUT"
    week.advance(timedelta(hours=23, minutes=59, seconds=59))
    assert refused(services, "rg-3", "1").rule == "TIME_OUT"
    week.advance(timedelta(seconds=1))
    lose(services, "rg-3", "1")
    with pytest.raises(Exception, match="hours"):
        services.ledger.execute(TakeTimeOut("to-2", "rg-3", 5, "player:rg-3"))


def test_a_kyc_upgrade_lifts_a_withdrawal_limit(services, week):
    credit(services, "kyc-1", "USDT", "1000")
    withdraw(services, "kyc-1", "60", "w-1")
    with pytest.raises(LimitRefused) as caught:
        withdraw(services, "kyc-1", "50", "w-2")  # 110 today, over 100 at KYC none
    assert (caught.value.reason, caught.value.rule) == ("KYC_LIMIT", "kyc.none.withdrawal")
    assert services.ledger.wallet("kyc-1", "USDT").locked == D(60)
    services.ledger.execute(SetKycStatus("kyc-1", "staff:cmp", "verified", "doc-check-7"))
    withdraw(services, "kyc-1", "50", "w-2")
    assert player_of(services, "kyc-1").kyc == "verified"


def test_a_blocked_country_is_refused(services, week):
    credit(services, "geo-1", "USDT", "100")
    services.ledger.execute(SetProfile("geo-1", "staff:cmp", None, "US", "residence"))
    assert refused(services, "geo-1", "1").reason == "COUNTRY_BLOCKED"
    credit(services, "geo-2", "USDT", "100")
    lose(services, "geo-2", "1", game="slot-x")
    blocked = refused(services, "geo-2", "1", game="slot-x", country="FR")
    assert (blocked.reason, blocked.rule) == ("COUNTRY_BLOCKED", "country.FR")
    lose(services, "geo-2", "1", game="dice-99", country="FR")


def test_limit_profiles_by_vip_level_and_kyc_maximum_bet_in_usd(services, week):
    credit(services, "pro-1", "USDT", "5000")
    blocked = refused(services, "pro-1", "400")
    assert (blocked.reason, blocked.rule) == ("PROFILE_LIMIT", "profile.DEFAULT.max_stake")
    set_vip_level(services, "pro-1", "Gold")
    bet_id = place_bet(services, "pro-1", "400").result.bet_id
    with pytest.raises(LimitRefused, match="max_payout|maximum 2000"):
        settle_bet(services, bet_id, "WIN", "2400")
    settle_bet(services, bet_id, "WIN", "2000")
    credit(services, "pro-2", "BTC", "1")
    services.ledger.execute(SetKycStatus("pro-2", "staff:cmp", "none", "onboarding"))
    assert refused(services, "pro-2", "0.02", currency="BTC").rule == "kyc.none.max_bet"
    lose(services, "pro-2", "0.01", currency="BTC")  # 600 USD at 60000


def test_the_maximum_payout_holds_for_a_round_of_several_bets(services, week):
    """VIP_A pays at most 2,000 USDT a round: two bets of one round, paid 1,500
    each in one settlement or as separate wins (a round of transactions), are
    refused on the second; in separate rounds both are paid."""
    credit(services, "pro-3", "USDT", "5000")
    set_vip_level(services, "pro-3", "Gold")
    first, second = (place_bet(services, "pro-3", "300", round_id="two-bets").result.bet_id
                     for _ in range(2))
    with pytest.raises(LimitRefused, match="max_payout|maximum 2000"):
        services.ledger.execute(SettleRound("settle-two", PROVIDER, "two-bets", (
            BetOutcome(first, "WIN", D("1500")), BetOutcome(second, "WIN", D("1500")))))
    services.ledger.execute(SettleRound("settle-two-b", PROVIDER, "two-bets", (
        BetOutcome(first, "WIN", D("1500")), BetOutcome(second, "WIN", D("500")))))
    ledger = services.ledger
    for transaction in ("t-1", "t-2"):
        ledger.execute(BetInRound(transaction, "hub", "pro-3", "tx-round", "USDT",
                                  GAME, D("300")))
    ledger.execute(WinInRound("w-1", "hub", "pro-3", "tx-round", "USDT", GAME, D("1500"),
                              bet_transaction="t-1"))
    with pytest.raises(LimitRefused, match="maximum 2000"):
        ledger.execute(WinInRound("w-2", "hub", "pro-3", "tx-round", "USDT", GAME,
                                  D("1500"), bet_transaction="t-2"))
    for n in range(2):  # rounds of their own: each within the maximum
        bet_id = place_bet(services, "pro-3", "300").result.bet_id
        settle_bet(services, bet_id, "WIN", "1500")


def test_deposits_over_the_kyc_limit_or_from_a_risky_source_are_held_then_released(
        services, week):
    ledger = services.ledger
    ledger.execute(OpenWatch("ethereum", 100, "0xb100"))
    address = ledger.execute(AssignDepositAddress(
        "dep-1", "USDT", derive=lambda index: f"0x{index + 1:040x}")).result.address
    ledger.execute(ScanBlock("ethereum", 101, "0xb101", "0xb100", (
        Incoming("USDT", "0xt1", 0, address, D("400")),
        Incoming("USDT", "0xt2", 0, address, D("200")),
        Incoming("USDT", "0xt3", 0, address, D("5"), risk_score=9))))
    ledger.execute(ScanBlock("ethereum", 102, "0xb102", "0xb101"))
    statuses = [ledger.repository.get(deposit_key("ethereum", tx, 0)).status
                for tx in ("0xt1", "0xt2", "0xt3")]
    assert statuses == ["credited", "held", "held"]
    assert ledger.wallet("dep-1", "USDT").cash == D(400)
    held = str(deposit_key("ethereum", "0xt3", 0))
    ledger.execute(ReleaseDeposit(held, "staff:cmp", "source cleared"))
    ledger.execute(ReleaseDeposit(held, "staff:cmp", "again"))  # a repeat: nothing
    assert ledger.wallet("dep-1", "USDT").cash == D(405)


def test_blocked_attempts_are_listed_and_counted_for_compliance(services, week):
    credit(services, "blk-1", "USDT", "100")
    services.ledger.execute(TakeTimeOut("to-b", "blk-1", 24, "player:blk-1"))
    for n in range(2):
        refused(services, "blk-1", "1", request_id=f"blk-{n}")
    refused(services, "blk-1", "1", request_id="blk-0")  # the same attempt again
    view = caught_up(services).projections.views["blocked_attempts"]
    rows = view.rows(player_id="blk-1")
    assert [(r["request_id"], r["reason"], r["rule"]) for r in rows] == [
        ("blk-0", "RG_BLOCKED", "TIME_OUT"), ("blk-1", "RG_BLOCKED", "TIME_OUT")]
    counts = {(c["reason"], c["rule"]): c["count"] for c in view.counts()}
    assert counts[("RG_BLOCKED", "TIME_OUT")] >= 2


@command_result("test-bonus-granted")
@dataclass(frozen=True)
class Granted:
    grant_id: str


@dataclass(frozen=True)
class Grant:
    kind: ClassVar[str] = "test-bonus"
    request_id: ClassVar[None] = None
    player_id: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow) -> Granted:
        grant = grant_bonus(uow, source=f"test:{self.player_id}", player_id=self.player_id,
                            currency="USDT", amount=D(50), requirement=D(100000),
                            tag="BONUS", request_id=f"grant-{self.player_id}")
        return Granted(str(grant.id))


def signals_of(services, player):
    view = caught_up(services).projections.views["abuse_signals_list"]
    return [(s["rule"], s["evidence"]) for s in view.rows(subject=f"player:{player}")]


def test_opposite_bets_in_one_round_raise_a_signal_and_hold_withdrawals(services, week):
    credit(services, "ab-1", "USDT", "1000")
    win = place_bet(services, "ab-1", "10", round_id="r-hedge").result.bet_id
    loss = place_bet(services, "ab-1", "10", round_id="r-hedge").result.bet_id
    settle_bet(services, win, "WIN", "19.8")
    settle_bet(services, loss, "LOSS")
    assert signals_of(services, "ab-1") == [("OPPOSITE_BETS", [win, loss])]
    credit(services, "honest-1", "USDT", "1000")
    lose(services, "honest-1", "10", round_id="r-honest")  # two bets, both lost
    lose(services, "honest-1", "10", round_id="r-honest")
    won = place_bet(services, "honest-1", "10", round_id="r-lucky").result.bet_id
    lost = place_bet(services, "honest-1", "10", round_id="r-lucky").result.bet_id
    settle_bet(services, won, "WIN", "50")  # a WIN and a LOSS that do not cancel
    settle_bet(services, lost, "LOSS")
    assert signals_of(services, "honest-1") == []
    with pytest.raises(LimitRefused) as caught:
        withdraw(services, "ab-1", "10", "w-ab")
    assert caught.value.reason == "REVIEW_HOLD"
    services.ledger.execute(LiftReviewHold("ab-1", "staff:cmp", "withdrawals"))
    withdraw(services, "ab-1", "10", "w-ab")


def test_a_run_of_minimum_stakes_with_a_bonus_open_raises_a_signal(services, week):
    credit(services, "ab-2", "USDT", "100")
    credit(services, "honest-2", "USDT", "100")
    for _ in range(5):
        lose(services, "honest-2", "0.1")  # no bonus open: wagering nothing
    services.ledger.execute(Grant("ab-2"))
    run = [lose(services, "ab-2", "0.1") for _ in range(5)]
    assert signals_of(services, "ab-2") == [("MIN_STAKE_RUN", run)]
    assert signals_of(services, "honest-2") == []


def test_stakes_moved_to_a_lower_weight_game_with_a_bonus_open_raise_a_signal(
        services, week):
    credit(services, "ab-3", "USDT", "100")
    credit(services, "honest-3", "USDT", "100")
    services.ledger.execute(Grant("ab-3"))
    services.ledger.execute(Grant("honest-3"))
    first = lose(services, "ab-3", "5", game="slot-x")
    second = lose(services, "ab-3", "5", game="table-1")
    assert signals_of(services, "ab-3") == [("WEIGHT_HOP", [first, second])]
    for _ in range(3):
        lose(services, "honest-3", "5", game="slot-x")
    assert signals_of(services, "honest-3") == []


def test_a_burst_of_voids_and_rollbacks_raises_a_signal_for_the_player_and_provider(
        services, week):
    credit(services, "ab-4", "USDT", "100")
    credit(services, "honest-4", "USDT", "100")
    bets = [place_bet(services, "ab-4", "1").result.bet_id for _ in range(3)]
    settle_bet(services, bets[0], "VOID")
    settle_bet(services, bets[1], "VOID")
    roll_back_bet(services, bets[2])
    honest = [place_bet(services, "honest-4", "1").result.bet_id for _ in range(2)]
    for bet_id in honest:
        settle_bet(services, bet_id, "VOID")
    assert signals_of(services, "ab-4") == [("VOID_BURST", bets)]
    assert signals_of(services, "honest-4") == []
    providers = caught_up(services).projections.views["abuse_signals_list"].rows(
        subject="provider:provider-1")
    assert [s["rule"] for s in providers] == ["VOID_BURST"]


def test_every_check_is_off_when_configuration_says_so(database_url, tmp_path):
    off = fresh_services(database_url, config=config_file(tmp_path, CONFIG.replace(
        "[compliance]\n", "[compliance]\nenabled = false\n", 1)))
    try:
        add_game(off, "dice-99")
        credit(off, "off-1", "USDT", "1000")
        off.ledger.execute(TakeTimeOut("to-off", "off-1", 24, "player:off-1"))
        lose(off, "off-1", "400")  # over DEFAULT's 300, during a time-out
        withdraw(off, "off-1", "150", "w-off")  # over KYC none's 100
    finally:
        off.close()
