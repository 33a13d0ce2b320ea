"""A scheduler loop's verdicts: a database fault is retried with back-off and never
stops it; another error stops it only when it repeats on the same item, named."""

from __future__ import annotations

import psycopg

from schedulers.jobs.healing import Loops, on_item


def failing(times: int, error: Exception, item: str | None = None):
    calls = []

    def action() -> str:
        calls.append(1)
        if len(calls) <= times:
            if item is None:
                raise error
            with on_item(item):
                raise error
        return "done"
    return action, calls


def test_a_lost_connection_is_retried_until_it_gets_through_and_never_stops_the_loop():
    loops = Loops()
    action, calls = failing(4, psycopg.OperationalError("server closed the connection"))
    assert loops.run("deposit-watch", action) == "done"
    assert loops.status() == [{"name": "deposit-watch", "error": None, "retries": 4}]
    assert len(calls) == 5


def test_an_error_repeating_on_one_item_stops_the_loop_naming_the_item(caplog):
    loops = Loops()
    action, calls = failing(10, ValueError("no such nonce"), "withdrawal w-7")
    assert loops.run("withdrawal-send", action, within=30) is None
    [status] = loops.status()
    assert status == {"name": "withdrawal-send", "retries": 3,
                      "error": "stopped at withdrawal w-7: no such nonce"}
    assert "loop withdrawal-send stopped at withdrawal w-7" in caplog.text
    assert len(calls) == 3  # retried at once, then left to the next tick
    assert loops.run("withdrawal-send", action) is None  # the next tick tries again
    assert loops.status()[0]["retries"] == 4


def test_a_stopped_loop_is_cleared_when_its_cause_is_mended():
    loops = Loops()
    action, _ = failing(3, RuntimeError("node down"))
    assert loops.run("deposit-watch", action) is None
    assert loops.status()[0]["error"] == "stopped at its step: node down"
    assert loops.run("deposit-watch", action) == "done"
    assert loops.status()[0]["error"] is None


def test_a_database_fault_behind_a_wrapping_error_is_still_a_database_fault():
    loops = Loops()
    try:
        raise psycopg.OperationalError("terminating connection due to administrator command")
    except psycopg.OperationalError as cause:
        wrapped = RuntimeError("job failed")
        wrapped.__cause__ = cause
    action, _ = failing(5, wrapped, "job unlock for 2026-01-14")
    assert loops.run("schedule", action) == "done"
    assert loops.status()[0]["error"] is None


def test_a_stopped_scheduler_ends_its_retries():
    loops = Loops()
    loops.stop()
    action, calls = failing(100, psycopg.OperationalError("connection refused"))
    assert loops.run("schedule", action) is None
    assert calls == []
