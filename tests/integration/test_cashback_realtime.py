"""Real-time cashback on SQLite and PostgreSQL: each losing bet is paid right after
its settlement, once, within the tier's cap per period."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from api.bootstrap import Services
from domain.cashback.realtime import CreditRealtimeCashback, realtime_key
from tests.factories import (
    add_game,
    backend_url,
    caught_up,
    config_file,
    credit,
    dumps,
    fresh_services,
    place_bet,
    refund_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
REALTIME = '[cashback.programs.instant]\nmodel = "realtime"\nperiod = "daily"\n'


@pytest.fixture
def ledger(backend, request, tmp_path_factory, frozen_clock):
    config = config_file(tmp_path_factory.mktemp("config"), REALTIME)
    services = fresh_services(backend_url(backend, request, tmp_path_factory),
                              config=config)
    add_game(services)
    credit(services, "p1", "USDT", "100000")
    yield services
    services.close()


def play(services: Services, stake: str, outcome: str = "LOSS", payout: str = "0") -> str:
    bet_id = place_bet(services, "p1", stake).result.bet_id
    settle_bet(services, bet_id, outcome, payout)
    return bet_id


def paid_credits(services: Services) -> list[tuple[str, Decimal]]:
    wallet = services.ledger.wallet("p1", "USDT")
    return [(e.balance, e.amount) for e in services.ledger.events.get(wallet.id)
            if getattr(e, "tag", "") == "CASHBACK"]


def test_each_losing_bet_is_paid_after_its_settlement_exactly_once(ledger):
    set_vip_level(ledger, "p1", "Silver")
    first = play(ledger, "100")
    play(ledger, "100", "WIN", "60")   # a win below the stake still lost 40
    play(ledger, "100", "WIN", "250")  # no loss, nothing paid
    caught_up(ledger)
    assert paid_credits(ledger) == [("bonus", D(10)), ("bonus", D(4))]
    version = ledger.ledger.repository.get(UUID(first)).version
    again = ledger.ledger.execute(CreditRealtimeCashback("instant", first, version))
    assert again.replayed and len(paid_credits(caught_up(ledger))) == 2
    rows = ledger.cashback_log.rows(program="instant")
    assert [(r["model"], r["status"], r["period"], r["amount"], r["netLoss"])
            for r in rows] == [("realtime", "credited", "2026-01-15", D(14), D(140))]
    assert ledger.journal.trial_balance() == {"USDT": 0}


def test_the_tier_maximum_caps_what_a_period_pays(ledger, frozen_clock):
    set_vip_level(ledger, "p1", "Bronze")  # 5%, at most 100 USD a day
    for stake in ("1500", "1500", "1000"):
        play(ledger, stake)
    caught_up(ledger)
    assert [a for _, a in paid_credits(ledger)] == [D(75), D(25)]
    frozen_clock.advance(timedelta(days=1))
    play(ledger, "100")
    caught_up(ledger)
    assert [a for _, a in paid_credits(ledger)] == [D(75), D(25), D(5)]
    account = ledger.ledger.repository.get(realtime_key("instant", "p1", "USDT",
                                                        "2026-01-15"))
    assert account.paid == D(100)


def test_platinum_is_paid_in_cash_and_wood_is_not_paid(ledger):
    play(ledger, "100")  # Wood
    caught_up(ledger)
    assert paid_credits(ledger) == []
    set_vip_level(ledger, "p1", "Platinum")
    play(ledger, "100")
    caught_up(ledger)
    assert paid_credits(ledger) == [("cash", D(20))]


def test_a_bet_refunded_before_the_follower_sees_its_settlement_is_not_paid(ledger):
    set_vip_level(ledger, "p1", "Silver")
    refund_bet(ledger, play(ledger, "100"))
    caught_up(ledger)
    assert paid_credits(ledger) == []


def test_the_realtime_log_rebuilt_from_zero_equals_the_live_one(ledger):
    set_vip_level(ledger, "p1", "Gold")
    for stake in ("10", "20", "30"):
        play(ledger, stake)
    live = dumps(caught_up(ledger))
    ledger.projections.rebuild("cashback_log")
    assert dumps(ledger) == live
