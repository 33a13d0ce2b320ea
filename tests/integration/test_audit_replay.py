"""Verified replay: every view rebuilt in a scratch area and compared with the live one."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.kernel.errors import Conflict
from projections.audit.history import log_position_at
from domain.audit.replay_run import ReplayRun, replay_run_key
from projections.audit import replay_runs
from projections.audit.replay import replay
from projections.engine.view import View
from tests.factories import (
    add_game,
    adjust,
    caught_up,
    place_bet,
    set_limits,
    settle_bet,
)


def history(services, clock, players: int = 3) -> list:
    """A few minutes of play; the time after each minute."""
    add_game(services)
    marks = []
    for n in range(players):
        clock.advance(timedelta(minutes=1))
        adjust(services, f"p{n}", "USDT", "100")
        bet_id = place_bet(services, f"p{n}", "10").result.bet_id
        settle_bet(services, bet_id, "WIN" if n % 2 else "LOSS", "20" if n % 2 else "0")
        set_limits(services, f"p{n}", daily={"USDT": "50"})
        marks.append(clock.now())
    caught_up(services)
    return marks


def scratch_areas(services) -> list[str]:
    """Replay schemas (PostgreSQL) or files (SQLite) left beside the live views."""
    datastore = services.balances.db.datastore
    if services.balances.db.dialect == "sqlite":
        return [p.name for p in Path(datastore.pool.db_name).parent.glob("*.replay_*")]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'replay_%%'")
        return [row["nspname"] for row in cursor.fetchall()]


def corrupt(services, statement: str, params: tuple[Any, ...]) -> None:
    with services.balances.db.transaction() as cursor:
        cursor.execute(statement, params)


def test_a_healthy_store_replays_equal_and_leaves_no_scratch(services, frozen_clock):
    history(services, frozen_clock)
    head = services.ledger.head()
    seen = []
    report = replay(services.projections, progress=lambda done, target: seen.append(
        (done, target)))
    assert report.verdict == "equal" and report.differences == 0 and not report.listed
    with_rows = {name for name, view in services.projections.views.items() if view.tables}
    assert {v.name for v in report.views} == with_rows
    assert all(v.status == "equal" and v.position == head for v in report.views)
    assert report.position == head and seen[-1] == (head, head)
    assert scratch_areas(services) == []
    assert services.ledger.head() == head  # a replay appends nothing


def test_a_corrupted_balances_row_is_reported_with_its_table_and_key(services,
                                                                      frozen_clock):
    history(services, frozen_clock)
    corrupt(services, "UPDATE {s}balances SET available = ? WHERE player_id = ?",
            ("1000000", "p1"))
    report = replay(services.projections)
    assert report.verdict == "different" and report.differences == 1
    [difference] = report.listed
    assert (difference.view, difference.table) == ("balances", "balances")
    assert difference.key == {"player_id": "p1", "currency": "USDT"}
    assert str(difference.live["available"]) == "1000000"
    assert Decimal(difference.rebuilt["available"]) == 110  # 100 + 20 won - 10 staked
    assert {v.name: v.status for v in report.views}["balances"] == "different"
    assert {v.status for v in report.views if v.name != "balances"} == {"equal"}


def test_a_deleted_and_an_invented_row_are_both_reported(services, frozen_clock):
    history(services, frozen_clock)
    corrupt(services, "DELETE FROM {s}bets WHERE player_id = ?", ("p0",))
    corrupt(services, "INSERT INTO {s}balances (player_id, currency, available, locked, "
            "bonus, bonus_locked, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("ghost", "BTC", "1", "0", "0", "0", 1, frozen_clock.now()))
    report = replay(services.projections)
    found = {(d.table, d.live is None, d.rebuilt is None) for d in report.listed}
    assert found == {("bets", True, False), ("balances", False, True)}


def test_until_rebuilds_the_views_as_of_a_time_and_compares_nothing(services,
                                                                    frozen_clock):
    marks = history(services, frozen_clock, players=3)
    report = replay(services.projections, until=marks[0])
    expected = log_position_at(services.projections, marks[0])
    assert 0 < expected < services.ledger.head()
    assert report.verdict == "rebuilt" and report.position == expected
    rows = {v.name: v.rows for v in report.views}
    assert rows["bets"] == {"bets": 1} and rows["balances"] == {"balances": 1}
    assert {v.position for v in report.views} == {expected}
    assert scratch_areas(services) == []


def test_keep_leaves_the_scratch_area_to_query(services, frozen_clock):
    history(services, frozen_clock, players=1)
    report = replay(services.projections, until=frozen_clock.now(), keep=True)
    assert report.scratch and len(scratch_areas(services)) == 1
    if services.balances.db.dialect == "sqlite":
        Path(report.scratch).unlink()
    else:
        corrupt(services, f'DROP SCHEMA "{report.scratch}" CASCADE', ())


class Spy(View):
    """A view other issues might add later: rows, and effects when it reacts."""

    name = "spy"
    tables = ("spy",)
    order_by = {"spy": "position"}
    schema = ("CREATE TABLE IF NOT EXISTS {s}spy (position BIGINT PRIMARY KEY)",)
    reacted: list[int] = []

    def apply(self, cursor, batch):
        cursor.executemany("INSERT INTO {s}spy (position) VALUES (?)",
                           [(p,) for p, _ in batch])

    def react(self, batch):
        self.reacted.extend(p for p, _ in batch)


def test_a_view_registered_later_is_replayed_but_never_reacts(services, frozen_clock):
    spy = Spy(services.balances.db)
    services.projections.views["spy"] = spy
    history(services, frozen_clock, players=1)
    reacted = list(Spy.reacted)
    assert reacted  # the live follower did react
    corrupt(services, "DELETE FROM {s}spy WHERE position = ?", (reacted[0],))
    report = replay(services.projections)
    assert Spy.reacted == reacted  # the replay did not
    [difference] = report.listed
    assert (difference.view, difference.key) == ("spy", {"position": reacted[0]})
    Spy.reacted.clear()


def test_a_view_that_fails_to_rebuild_makes_the_replay_incomplete(services,
                                                                  frozen_clock):
    history(services, frozen_clock, players=1)
    services.projections.views["spy"] = Broken(services.balances.db)
    report = replay(services.projections)
    assert report.verdict == "incomplete"
    [broken] = [v for v in report.views if v.status != "equal"]
    assert (broken.name, broken.status) == ("spy", "failed")
    assert "out of order" in broken.detail
    assert replay(services.projections, until=frozen_clock.now()).verdict == "incomplete"


def test_a_live_view_stuck_behind_the_log_makes_the_replay_incomplete(services,
                                                                      frozen_clock):
    history(services, frozen_clock, players=1)
    services.projections.views["spy"] = Broken(services.balances.db, live_only=True)
    report = replay(services.projections)
    assert report.verdict == "incomplete"
    [stuck] = [v for v in report.views if v.status != "equal"]
    assert (stuck.name, stuck.status, stuck.position) == ("spy", "behind", 0)
    assert "out of order" in stuck.detail


class Broken(Spy):
    """A view whose code fails on the first batch (only the live one: `live_only`)."""

    def __init__(self, db, live_only=False):
        super().__init__(db)
        self.live_db = db if live_only else None

    def apply(self, cursor, batch):
        if self.live_db in (None, self.db):
            raise RuntimeError("out of order")


def test_a_recorded_replay_names_who_when_and_the_verdict(services, frozen_clock):
    history(services, frozen_clock, players=1)
    started = services.replays.request("audit-1", "carol", None)
    assert started.verdict == "running" and started.actor == "carol"
    services.replays.join()
    run = services.replays.get("audit-1")
    assert run.verdict == "equal" and run.differences == 0
    assert run.position == run.summary["position"] > 0
    assert run.requested_at == run.finished_at == frozen_clock.now()
    events = services.ledger.events.get(replay_run_key("audit-1"))
    assert [type(e).__name__ for e in events] == ["Requested", "Finished"]
    assert isinstance(services.ledger.repository.get(replay_run_key("audit-1")), ReplayRun)
    finished, requested = caught_up(services).adjustment_log.page(kind="REPLAY")
    assert (requested["actor"], requested["before"], finished["before"]["verdict"]) == (
        "carol", {}, "running")
    assert finished["after"] == {"until": None, "verdict": "equal",
                                 "position": run.position, "differences": 0}


def test_asking_again_with_the_same_request_id_starts_nothing(services, frozen_clock):
    history(services, frozen_clock, players=1)
    services.replays.request("audit-1", "carol", None)
    services.replays.join()
    head = services.ledger.head()
    again = services.replays.request("audit-1", "carol", None)
    assert again.verdict == "running"  # the first answer, replayed
    assert services.ledger.head() == head and len(services.replays._threads) == 1


def test_one_replay_at_a_time(services, frozen_clock, monkeypatch):
    release = threading.Event()

    def slow(runner, until=None):
        release.wait(10)
        return replay(runner, until=until)

    monkeypatch.setattr(replay_runs, "replay", slow)
    services.replays.request("audit-1", "carol", None)
    with pytest.raises(Conflict, match="audit-1 is still running"):
        services.replays.request("audit-2", "carol", None)
    assert services.replays.request("audit-1", "carol", None).verdict == "running"
    release.set()
    services.replays.join()
    assert services.replays.get("audit-1").verdict == "equal"
    assert services.replays.request("audit-2", "carol", None).verdict == "running"
    services.replays.join()


def test_a_replay_while_commands_run_and_the_follower_follows_compares_equal(
        services, frozen_clock):
    history(services, frozen_clock, players=2)
    done = threading.Event()

    def write():
        for _ in range(60):
            adjust(services, "p0", "USDT", "1")
        done.set()

    services.projections.start()
    writer = threading.Thread(target=write)
    writer.start()
    try:
        report = replay(services.projections)
    finally:
        writer.join(60)
        services.projections.stop()
    assert done.is_set()
    assert report.verdict == "equal", report.listed[:3]


@pytest.mark.postgres_only
@pytest.mark.parametrize("backend", ["postgres"])  # SQLite has no such timeout
def test_a_snapshot_read_is_not_cut_off_by_the_idle_in_transaction_timeout(services):
    """A million-row view takes longer to turn into rows than the library's 5 s."""
    with services.balances.db.snapshot() as cursor:
        setting = cursor.execute("SHOW idle_in_transaction_session_timeout").fetchone()
    with services.balances.db.transaction(commit=False) as cursor:
        default = cursor.execute("SHOW idle_in_transaction_session_timeout").fetchone()
    assert list(setting.values()) == ["0"]
    assert list(default.values()) != ["0"]  # lifted for the snapshot alone
