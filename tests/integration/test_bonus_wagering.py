"""Wagering on SQLite and PostgreSQL: cashback bonus grants, progress by game
category weight, conversion to cash, expiry, and the books.

A Silver player loses 1000 USDT in ISO week 2026-W03 and gets 100 USDT of
cashback as bonus with a 1x requirement (100 USDT of weighted stakes). The
wagering follower runs when the views catch up (`caught_up`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from api.bootstrap import Services
from domain.bonus.model import BonusGrant
from domain.bonus.commands import WagerBonus
from domain.cashback.model import cashback_key
from domain.kernel.periods import Period
from tests.factories import (
    add_game,
    backend_url,
    caught_up,
    config_file,
    credit,
    fresh_services,
    place_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
UTC = timezone.utc


@pytest.fixture
def make_ledger(backend, request, tmp_path_factory, frozen_clock):
    built: list[Services] = []

    def make(toml: str = "") -> Services:
        config = config_file(tmp_path_factory.mktemp("config"), toml)
        services = fresh_services(backend_url(backend, request, tmp_path_factory),
                                  config=config)
        built.append(services)
        add_game(services)
        add_game(services, "slot-1", category="slots", rtp="96")
        add_game(services, "live-1", category="live", rtp="97")
        return services

    yield make
    for services in built:
        services.close()


def play(services: Services, stake: str, outcome: str = "LOSS", payout: str = "0",
         game: str = "dice-99") -> str:
    bet_id = place_bet(services, "p1", stake, game=game).result.bet_id
    settle_bet(services, bet_id, outcome, payout)
    return bet_id


def with_cashback_bonus(services: Services, frozen_clock) -> BonusGrant:
    """p1 (Silver) loses 1000 in 2026-W03; the weekly job credits 100 as bonus."""
    credit(services, "p1", "USDT", "5000")
    set_vip_level(services, "p1", "Silver")
    play(services, "1000")
    frozen_clock.freeze(datetime(2026, 1, 19, 0, 1, tzinfo=UTC))
    services.job_runner.run("cashback-vip", Period.parse("2026-W03"))
    return grant_of(services)


def grant_of(services: Services) -> BonusGrant:
    period = services.ledger.repository.get(cashback_key("vip", "p1", "USDT", "2026-W03"))
    return services.ledger.repository.get(BonusGrant.create_id(f"cashback:{period.id}"))


def wallet(services: Services):
    return services.ledger.wallet("p1", "USDT")


def test_settled_stakes_count_by_category_weight_until_the_bonus_turns_to_cash(
        make_ledger, frozen_clock):
    ledger = make_ledger()
    grant = with_cashback_bonus(ledger, frozen_clock)
    assert (grant.requirement, wallet(ledger).bonus) == (D(100), D(100))
    play(ledger, "200", game="live-1")          # 10%: 20
    play(ledger, "50", "WIN", "100", game="slot-1")  # 100%: 50
    caught_up(ledger)
    grant = grant_of(ledger)
    assert (grant.progress, grant.status, wallet(ledger).bonus) == (D(70), "open", D(100))
    play(ledger, "30", game="slot-1")           # 100%: 30, requirement met
    caught_up(ledger)
    grant = grant_of(ledger)
    assert (grant.progress, grant.status, grant.settled_amount) == (
        D(100), "completed", D(100))
    assert (wallet(ledger).bonus, wallet(ledger).cash) == (
        D(0), D(5000 - 1000 - 200 + 50 - 30 + 100))
    assert caught_up(ledger).journal.trial_balance() == {"USDT": 0}
    rows = {r["grant_id"]: r for r in grant_rows(ledger)}
    assert rows[str(grant.id)]["status"] == "completed"


def test_push_void_and_bets_settled_before_the_grant_do_not_count(make_ledger,
                                                                  frozen_clock):
    ledger = make_ledger()
    with_cashback_bonus(ledger, frozen_clock)
    play(ledger, "100", "PUSH", game="slot-1")
    play(ledger, "100", "VOID", game="slot-1")
    caught_up(ledger)
    assert (grant_of(ledger).progress, grant_of(ledger).wagered) == (0, {})


def test_a_bet_settled_before_the_grant_does_not_count(make_ledger, frozen_clock):
    ledger = make_ledger()
    credit(ledger, "p1", "USDT", "5000")
    early = play(ledger, "300", game="slot-1")  # before the grant
    with_cashback_bonus(ledger, frozen_clock)
    version = ledger.ledger.repository.get(UUID(early)).version
    assert list(ledger.ledger.execute(WagerBonus(early, version)).result.grants) == []
    assert grant_of(caught_up(ledger)).progress == 0


def test_a_play_is_counted_once_however_often_it_is_offered(make_ledger, frozen_clock):
    ledger = make_ledger()
    with_cashback_bonus(ledger, frozen_clock)
    bet_id = play(ledger, "40", game="slot-1")
    version = ledger.ledger.repository.get(UUID(bet_id)).version
    for _ in range(3):
        ledger.ledger.execute(WagerBonus(bet_id, version))
    caught_up(ledger)
    assert grant_of(ledger).progress == D(40)


def test_conversion_is_never_more_than_the_free_bonus(make_ledger, frozen_clock):
    ledger = make_ledger('[bets]\nfunding = "bonus_first"\n')
    with_cashback_bonus(ledger, frozen_clock)
    play(ledger, "60", game="slot-1")  # 60 of the 100 bonus staked and lost
    play(ledger, "40", game="slot-1")  # the rest: requirement met, nothing left
    caught_up(ledger)
    grant = grant_of(ledger)
    assert (grant.status, grant.settled_amount, wallet(ledger).bonus) == (
        "completed", D(0), D(0))


def test_an_expired_grant_forfeits_what_is_left_back_to_cashback_expense(
        make_ledger, frozen_clock):
    ledger = make_ledger("[bonus]\nexpiry_days = 7\n")
    grant = with_cashback_bonus(ledger, frozen_clock)
    assert grant.expires_at == datetime(2026, 1, 26, 0, 1, tzinfo=UTC)
    play(ledger, "10", game="slot-1")
    frozen_clock.freeze(datetime(2026, 2, 1, tzinfo=UTC))
    early = ledger.job_runner.run("bonus-expiry", Period.parse("2026-01-25")).result
    assert early.summary["expired"] == 0 and grant_of(ledger).status == "open"
    ledger.job_runner.run("bonus-expiry", Period.parse("2026-01-26"))
    again = ledger.job_runner.run("bonus-expiry", Period.parse("2026-01-26")).result
    assert again.summary["expired"] == 0
    grant = grant_of(ledger)
    assert (grant.status, grant.settled_amount, wallet(ledger).bonus) == (
        "expired", D(100), D(0))
    balances = caught_up(ledger).journal.account_balances("USDT")
    assert balances[("USDT", "house:cashback_expense")] == 0  # paid 100, took 100 back
    assert ledger.journal.trial_balance() == {"USDT": 0}
    play(ledger, "500", game="slot-1")
    assert grant_of(caught_up(ledger)).progress == D(10)


def test_without_expiry_days_there_is_no_expiry_job(make_ledger):
    assert "bonus-expiry" not in make_ledger().jobs


def grant_rows(services: Services) -> list:
    with services.bonus_grants.db.transaction(commit=False) as cursor:
        return [dict(r) for r in cursor.execute(
            "SELECT * FROM {s}bonus_grants").fetchall()]
