"""Period cashback on SQLite and PostgreSQL: the worked example, tiers to the wallet,
re-runs, the crash between calculating and crediting, what counts, the log.

Bets are placed and settled through the ledger; the cashback job runs as the
scheduler runs it (`job_runner.run`), without catching anything up first: the
job brings its own follower up to date. The clock starts frozen at Thursday
2026-01-15 12:00 UTC, in ISO week 2026-W03 (Monday 12 to Sunday 18 January).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from api.bootstrap import Services
from domain.bonus.model import BonusGrant, book_key
from domain.cashback.model import CashbackPeriod, cashback_key
from domain.cashback.commands import CalculateCashback, CreditCashback
from domain.kernel.errors import Conflict, InvalidInput
from domain.jobs.model import JobFailed, JobRunRecord
from domain.kernel.periods import Period
from tests.factories import (
    add_game,
    adjust,
    backend_url,
    caught_up,
    config_file,
    credit,
    dumps,
    fresh_services,
    place_bet,
    refund_bet,
    roll_back_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
UTC = timezone.utc
WEEK = "2026-W03"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def ledger(services: Services, frozen_clock) -> Services:
    add_game(services)
    add_game(services, "live-1", category="live", rtp="97")
    return services


@pytest.fixture
def make_ledger(backend, request, tmp_path_factory, frozen_clock):
    """Ledgers on the test's backend with a business configuration of their own."""
    built: list[Services] = []

    def make(toml: str) -> Services:
        config = config_file(tmp_path_factory.mktemp("config"), toml)
        services = fresh_services(backend_url(backend, request, tmp_path_factory),
                                  config=config)
        built.append(services)
        add_game(services)
        add_game(services, "live-1", category="live", rtp="97")
        return services

    yield make
    for services in built:
        services.close()


def player(services: Services, name: str = "p1", level: str = "Silver",
           funds: str = "100000", currency: str = "USDT") -> None:
    credit(services, name, currency, funds)
    if level != "Wood":
        set_vip_level(services, name, level)


def play(services: Services, stake: str, outcome: str = "LOSS", payout: str = "0", *,
         name: str = "p1", currency: str = "USDT", game: str = "dice-99") -> str:
    bet_id = place_bet(services, name, stake, currency, game=game).result.bet_id
    settle_bet(services, bet_id, outcome, payout)
    return bet_id


def run(services: Services, period: str, job: str = "cashback-vip") -> JobRunRecord:
    return services.job_runner.run(job, Period.parse(period)).result


def end_week(frozen_clock) -> None:
    frozen_clock.freeze(at(2026, 1, 19, 0, 1))


def period_of(services: Services, period: str = WEEK, name: str = "p1",
              program: str = "vip", currency: str = "USDT") -> CashbackPeriod:
    return services.ledger.repository.get(cashback_key(program, name, currency, period))


def wallet(services: Services, name: str = "p1", currency: str = "USDT"):
    return services.ledger.wallet(name, currency)


def cashback_credits(services: Services, name: str = "p1") -> list:
    return [e for e in services.ledger.events.get(wallet(services, name).id)
            if getattr(e, "tag", "") == "CASHBACK"]


# The worked example and the tiers.

def test_seed_000_silver_player_lost_1000_won_700_gets_30_as_bonus_with_1x_wagering(
        ledger, frozen_clock):
    player(ledger, level="Silver")
    play(ledger, "500", "LOSS")
    play(ledger, "500", "WIN", "700")
    end_week(frozen_clock)
    record = run(ledger, WEEK)
    assert record.summary == {"program": "vip", "period": WEEK, "calculated": 0,
                                 "credited": 1, "skipped": 0, "changed": 1,
                                 "paid": {"USDT": "30.000000"}}
    period = period_of(ledger)
    assert (period.status, period.level, period.rank, period.amount) == (
        "credited", "Silver", 3, D(30))
    assert {k: period.figures[k] for k in ("totalBets", "totalWins", "netLoss", "percent")} \
        == {"totalBets": D(1000), "totalWins": D(700), "netLoss": D(300), "percent": D(10)}
    assert (wallet(ledger).bonus, wallet(ledger).cash) == (D(30), D(100000 - 300))
    grant = ledger.ledger.repository.get(BonusGrant.create_id(f"cashback:{period.id}"))
    assert (grant.amount, grant.requirement, grant.status) == (D(30), D(30), "open")
    [credited] = cashback_credits(ledger)
    assert credited.request_id == period.transaction_id and credited.balance == "bonus"
    assert caught_up(ledger).journal.trial_balance() == {"USDT": 0}


@pytest.mark.parametrize(("level", "status", "amount", "balance"), [
    ("Wood", "skipped", "0", None),
    ("Metal", "skipped", "0", None),
    ("Bronze", "credited", "100", "bonus"),    # 5% of 4000 = 200, capped at 100
    ("Silver", "credited", "400", "bonus"),
    ("Gold", "credited", "600", "bonus"),
    ("Platinum", "credited", "800", "cash"),  # 0x wagering: straight to cash
    ("Beast", "credited", "800", "cash"),
])
def test_each_level_is_paid_by_its_tier_to_bonus_or_cash(ledger, frozen_clock, level,
                                                         status, amount, balance):
    player(ledger, level=level)
    play(ledger, "4000")
    end_week(frozen_clock)
    run(ledger, WEEK)
    period = period_of(ledger)
    assert (period.status, period.amount) == (status, D(amount))
    credits = cashback_credits(ledger)
    assert [(c.balance, c.amount) for c in credits] == (
        [(balance, D(amount))] if balance else [])
    if status == "skipped":
        assert period.reason == "no cashback tier for this VIP level"
    assert caught_up(ledger).journal.trial_balance() == {"USDT": 0}


def test_a_profit_week_is_skipped_with_its_reason_and_pays_nothing(ledger, frozen_clock):
    player(ledger, level="Gold")
    play(ledger, "100", "WIN", "250")
    end_week(frozen_clock)
    run(ledger, WEEK)
    period = period_of(ledger)
    assert (period.status, period.reason, period.figures["netLoss"]) == (
        "skipped", "no net loss", D(-150))
    assert cashback_credits(ledger) == []


def test_the_vip_level_is_the_one_at_calculation_time(ledger, frozen_clock):
    player(ledger, level="Silver")
    play(ledger, "1000")
    set_vip_level(ledger, "p1", "Gold")
    end_week(frozen_clock)
    run(ledger, WEEK)
    assert (period_of(ledger).level, period_of(ledger).amount) == ("Gold", D(150))


# Idempotency and the crash.

def test_running_the_period_again_creates_nothing_new(ledger, frozen_clock):
    player(ledger)
    play(ledger, "1000")
    end_week(frozen_clock)
    run(ledger, WEEK)
    head = ledger.ledger.head()
    again = run(ledger, WEEK)
    assert again.summary["changed"] == 0 and again.attempts == 2
    # Only the run record's Started and Finished were appended.
    assert ledger.ledger.head() - head == 2
    assert len(cashback_credits(ledger)) == 1


def test_a_job_stopped_between_calculating_and_crediting_credits_exactly_once_on_rerun(
        ledger, frozen_clock, monkeypatch):
    player(ledger, "p1")
    player(ledger, "p2", level="Platinum")
    play(ledger, "1000", name="p1")
    play(ledger, "1000", name="p2")
    end_week(frozen_clock)

    def crash(self, uow):
        raise RuntimeError("the process died before crediting")

    monkeypatch.setattr(CreditCashback, "decide", crash)
    with pytest.raises(JobFailed):
        run(ledger, WEEK)
    # It died at the credits: both periods are calculated, neither is paid.
    assert [period_of(ledger, name=n).status for n in ("p1", "p2")] == ["calculated"] * 2
    assert cashback_credits(ledger, "p1") == [] == cashback_credits(ledger, "p2")
    monkeypatch.undo()
    record = run(ledger, WEEK)
    assert (record.outcome, record.summary["credited"]) == ("succeeded", 2)
    run(ledger, WEEK)
    assert [len(cashback_credits(ledger, n)) for n in ("p1", "p2")] == [1, 1]
    assert (wallet(ledger, "p1").bonus, wallet(ledger, "p2").available) == (
        D(100), D(100000 - 1000 + 200))


def test_commands_refuse_unknown_programs_wrong_periods_and_uncalculated_credits(ledger):
    with pytest.raises(InvalidInput):
        ledger.ledger.execute(CalculateCashback("nope", "p1", "USDT", WEEK))
    with pytest.raises(InvalidInput):
        ledger.ledger.execute(CalculateCashback("vip", "p1", "USDT", "2026-01-15"))
    with pytest.raises(Conflict):
        ledger.ledger.execute(CreditCashback("vip", "p1", "USDT", WEEK))


# What counts.

def test_refunded_rolled_back_void_and_push_bets_do_not_count(ledger, frozen_clock):
    player(ledger, level="Silver")
    play(ledger, "100")                       # counts
    refund_bet(ledger, play(ledger, "1000"))  # a lost bet refunded
    roll_back_bet(ledger, play(ledger, "2000"))  # a settlement rolled back (open again)
    play(ledger, "3000", "VOID")
    play(ledger, "4000", "PUSH")
    resettled = play(ledger, "50")
    roll_back_bet(ledger, resettled)
    settle_bet(ledger, resettled, "LOSS")     # settled again: counts once
    end_week(frozen_clock)
    run(ledger, WEEK)
    assert (period_of(ledger).figures["totalBets"], period_of(ledger).amount) == (
        D(150), D(15))


def test_only_the_program_s_eligible_categories_count(make_ledger, frozen_clock):
    ledger = make_ledger('[cashback.programs.slots]\ncategories = ["dice"]\n')
    player(ledger, level="Silver")
    play(ledger, "100")
    play(ledger, "5000", game="live-1")
    end_week(frozen_clock)
    run(ledger, WEEK, "cashback-slots")
    assert period_of(ledger, program="slots").figures["totalBets"] == D(100)


def test_bonuses_received_in_the_period_reduce_the_base_when_switched_on(
        make_ledger, frozen_clock):
    ledger = make_ledger("[cashback.programs.vip]\nbonuses_reduce_base = true\n")
    player(ledger, level="Silver")
    adjust(ledger, "p1", "USDT", "120", balance="bonus", reason="welcome bonus")
    play(ledger, "1000")
    end_week(frozen_clock)
    run(ledger, WEEK)
    figures = period_of(ledger).figures
    assert (figures["bonuses"], figures["base"], figures["amount"]) == (
        D(120), D(880), D(88))


def test_gross_bet_refunds_a_percent_of_wagers_even_in_a_winning_week(
        make_ledger, frozen_clock):
    ledger = make_ledger('[cashback.programs.gross]\nmodel = "gross_bet"\n'
                         "[cashback.programs.gross.tiers.all]\npercent = \"0.5\"\n"
                         "wagering = \"0\"\n[cashback.programs.gross.levels]\n"
                         'Silver = "all"\n')
    player(ledger, level="Silver")
    play(ledger, "1000", "WIN", "3000")
    end_week(frozen_clock)
    run(ledger, WEEK, "cashback-gross")
    period = period_of(ledger, program="gross")
    assert (period.amount, period.model, period.status) == (D(5), "gross_bet", "credited")
    assert wallet(ledger).available == D(100000 + 2000 + 5)


# Periods across UTC boundaries.

PERIODS = ('[cashback.programs.day]\nperiod = "daily"\n'
           '[cashback.programs.week]\nperiod = "weekly"\n'
           '[cashback.programs.month]\nperiod = "monthly"\n')


@pytest.mark.parametrize(("before", "after", "job", "first", "second"), [
    (at(2026, 1, 15, 23, 59, 59), at(2026, 1, 16), "cashback-day",
     "2026-01-15", "2026-01-16"),
    (at(2026, 1, 18, 23, 59, 59), at(2026, 1, 19), "cashback-week",
     "2026-W03", "2026-W04"),
    (at(2026, 1, 31, 23, 59, 59), at(2026, 2, 1), "cashback-month", "2026-01", "2026-02"),
    (at(2026, 12, 31, 23, 59, 59), at(2027, 1, 1), "cashback-week",
     "2026-W53", "2026-W53"),  # ISO week 53 spans the new year
])
def test_a_bet_counts_in_the_utc_period_of_its_settlement(make_ledger, frozen_clock,
                                                         before, after, job, first,
                                                         second):
    ledger = make_ledger(PERIODS)
    player(ledger, level="Silver")
    frozen_clock.freeze(before)
    play(ledger, "100")
    frozen_clock.freeze(after)
    play(ledger, "200")
    frozen_clock.freeze(at(2027, 3, 1))
    program = job.removeprefix("cashback-")
    run(ledger, first, job)
    run(ledger, second, job)
    amounts = {p: period_of(ledger, p, program=program).amount for p in {first, second}}
    assert amounts == ({first: D(30)} if first == second else {first: D(10),
                                                                 second: D(20)})


def test_a_period_that_has_not_ended_cannot_run(ledger, frozen_clock):
    with pytest.raises(InvalidInput):
        run(ledger, WEEK)


# The log.

def test_the_log_rebuilt_from_zero_equals_the_live_one(ledger, frozen_clock):
    for name, level in (("p1", "Silver"), ("p2", "Wood"), ("p3", "Platinum")):
        player(ledger, name, level=level)
        play(ledger, "700", name=name)
    play(ledger, "100", "WIN", "900", name="p3")
    end_week(frozen_clock)
    run(ledger, WEEK)
    live = dumps(caught_up(ledger))
    rows = ledger.cashback_log.rows(period=WEEK)
    assert [(r["playerId"], r["status"], r["amount"]) for r in rows] == [
        ("p1", "credited", D(70)), ("p2", "skipped", D(0)), ("p3", "skipped", D(0))]
    for name in ("cashback_log", "cashback_tallies", "bonus_grants"):
        ledger.projections.rebuild(name)
    assert dumps(ledger) == live
    assert ledger.cashback_log.rows(status="skipped", program="vip", limit=1)[0][
        "playerId"] == "p2"


def test_the_bonus_book_lists_the_grant_of_each_credited_period(ledger, frozen_clock):
    player(ledger)
    play(ledger, "1000")
    end_week(frozen_clock)
    run(ledger, WEEK)
    book = ledger.ledger.repository.get(book_key("p1", "USDT"))
    assert book.open == [period_of(ledger).grant_id]


def test_each_period_program_has_a_job_of_its_kind_and_realtime_has_none(make_ledger):
    ledger = make_ledger(PERIODS + '[cashback.programs.rt]\nmodel = "realtime"\n')
    jobs = {job.name: job.kind for job in ledger.jobs if job.name.startswith("cashback")}
    assert jobs == {"cashback-day": "day", "cashback-week": "week",
                    "cashback-month": "month"}
    assert ledger.ledger.rules.cashback.tallied_kinds == ["day", "month", "week"]
