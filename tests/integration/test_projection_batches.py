"""Batches: a view applies many events at once exactly as it applies them one by one.

A view reads the rows a batch touches with one query per table per chunk of
keys (`Cursor.rows_by_key`), applies the batch in memory and writes each row
once. These scenarios shrink the chunks so that one batch spans several, touch
the same wallets, accounts, bets and days many times within a batch, and
compare the views built in large batches with rebuilds one event at a time.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from projections.betting import bets as bets_view
from projections.engine import database
from projections.betting import pnl as pnl_view
from projections.wallet.ledger_entries import LedgerEntriesView
from projections.engine.runner import ProjectionRunner
from tests.factories import (
    adjust,
    add_game,
    aggregate_pockets,
    place_bet,
    refund_bet,
    roll_back_bet,
    settle_bet,
    view_pockets,
)

VIEWS = ("balances", "ledger_entries", "journal", "bets", "pnl")
PLAYERS = [f"p{n}" for n in range(9)]
CURRENCIES = ("USDT", "BTC")


@pytest.fixture
def small_chunks(monkeypatch):
    """Four parameters a query: two keys of two columns, one of four (pnl days)."""
    monkeypatch.setattr(database, "MAX_PARAMS", 4)


def catch_up(services):
    services.projections.catch_up(VIEWS)


def dumps(services):
    return {name: services.projections.views[name].dump() for name in VIEWS}


def rebuilt_in_batches_of(services, size):
    views = [services.projections.views[name] for name in VIEWS]
    runner = ProjectionRunner(services.ledger.recorder, services.ledger.mapper, views,
                              batch_size=size)
    for name in VIEWS:
        runner.rebuild(name)
    return dumps(services)


def play_a_day(services, day):
    """Every wallet funded and moved several times, and bets on several of them."""
    for player in PLAYERS:
        for currency in CURRENCIES:
            adjust(services, player, currency, "50", reason=f"day {day}")
            adjust(services, player, currency, "5", balance="bonus")
            adjust(services, player, currency, "-1.25")
    for n in range(6):  # the same wallet many times over
        adjust(services, "p0", "USDT", f"0.{n + 1}")
    bets = [place_bet(services, player, "2", currency).result.bet_id
            for player in PLAYERS[:4] for currency in CURRENCIES]
    for bet_id, (outcome, payout) in zip(bets, [("WIN", "4"), ("LOSS", "0"),
                                                ("PUSH", "0"), ("VOID", "0"),
                                                ("WIN", "3.5"), ("LOSS", "0")]):
        settle_bet(services, bet_id, outcome, payout)
    return bets


def play_the_next_day(services, frozen_clock, bets):
    """Reversals of yesterday's settlements, new bets, and every wallet again."""
    frozen_clock.advance(timedelta(days=1))
    refund_bet(services, bets[1])
    roll_back_bet(services, bets[0])
    settle_bet(services, bets[0], "LOSS")
    settle_bet(services, bets[6], "WIN", "1")
    return bets + play_a_day(services, 2)


def test_large_batches_build_the_rows_of_batches_of_one(services, frozen_clock,
                                                         small_chunks):
    add_game(services)
    bets = play_a_day(services, 1)
    catch_up(services)  # one batch, with nothing stored yet
    play_the_next_day(services, frozen_clock, bets)
    catch_up(services)  # one batch again, every key stored already
    live = dumps(services)
    assert len(live["balances"]["balances"]) == len(PLAYERS) * len(CURRENCIES)
    assert len(live["pnl"]["pnl"]) == 4  # two days, two currencies
    assert rebuilt_in_batches_of(services, 1) == live
    assert rebuilt_in_batches_of(services, 7) == live


def test_views_agree_with_the_wallets_after_large_batches(services, frozen_clock,
                                                         small_chunks):
    add_game(services)
    play_the_next_day(services, frozen_clock, play_a_day(services, 1))
    catch_up(services)
    for player in PLAYERS:
        for currency in CURRENCIES:
            wallet = services.ledger.wallet(player, currency)
            assert view_pockets(services, player, currency) == aggregate_pockets(wallet)
    assert set(services.journal.trial_balance().values()) == {0}
    pockets = {row[:3]: row[3] for row in dumps(services)["ledger_entries"]["ledger_pockets"]}
    latest = {}
    for entry in dumps(services)["ledger_entries"]["ledger_entries"]:
        latest[entry[2:5]] = entry[6]
    assert {key: Decimal(value) for key, value in pockets.items()} == {
        key: Decimal(value) for key, value in latest.items()}


def test_a_batch_reads_each_table_once_whatever_it_touches(services, monkeypatch):
    add_game(services)
    for player in PLAYERS:
        for currency in CURRENCIES:
            adjust(services, player, currency, "3")
    bets = [place_bet(services, player, "1").result.bet_id for player in PLAYERS]
    catch_up(services)
    for bet_id in bets:
        settle_bet(services, bet_id, "WIN", "2")
    for player in PLAYERS:
        adjust(services, player, "BTC", "-1")
    reads = []
    execute = database.Cursor.execute

    def counted(cursor, statement, params=()):
        if statement.startswith("SELECT"):
            reads.append(statement.split(" FROM ")[1].split()[0].removeprefix("{s}"))
        return execute(cursor, statement, params)

    monkeypatch.setattr(database.Cursor, "execute", counted)
    catch_up(services)
    # Every view's position, in one query, then each table once.
    positions = [r for r in reads if r.endswith("tracking")]
    assert len(positions) == 1
    assert sorted(r for r in reads if r not in positions) == [
        "account_balances", "balances", "bets", "ledger_pockets", "pnl", "pnl_bets",
        "pnl_by_brand"]


def test_pockets_are_filled_from_entries_written_before_they_existed(services):
    for player in PLAYERS[:3]:
        adjust(services, player, "BTC", "2")
        adjust(services, player, "BTC", "-0.5")
    catch_up(services)
    view = services.projections.views["ledger_entries"]
    with view.db.transaction() as cursor:
        cursor.execute("DROP TABLE {s}ledger_pockets")
    LedgerEntriesView(view.db)  # a process started on the upgraded code
    for player in PLAYERS[:3]:
        adjust(services, player, "BTC", "0.25")
    catch_up(services)
    live = view.dump()
    assert [Decimal(row[3]) for row in live["ledger_pockets"]] == [Decimal("1.75")] * 3
    assert rebuilt_in_batches_of(services, 1)["ledger_entries"] == live


def test_an_event_for_a_bet_the_view_never_saw_stops_the_view(services):
    add_game(services)
    adjust(services, "p1", "USDT", "10")
    bet_id = place_bet(services, "p1", "1").result.bet_id
    catch_up(services)
    db = services.projections.views["bets"].db
    with db.transaction() as cursor:
        cursor.execute("DELETE FROM {s}bets")
        cursor.execute("DELETE FROM {s}pnl_bets")
    settle_bet(services, bet_id, "WIN", "2")
    for name, error in (("bets", bets_view.UnknownBet), ("pnl", pnl_view.UnknownBet)):
        view = services.projections.views[name]
        before = view.position()
        with pytest.raises(error, match=bet_id):
            services.projections.catch_up([name])
        assert view.position() == before
