"""The command line: `casino-ledger audit balances` and `audit replay`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.cli.context import console as cli_console
from typer.testing import CliRunner

from api.cli.main import cli
from tests.conftest import TEST_SECRET
from tests.factories import adjust, caught_up


@pytest.fixture
def run(services, database_url, monkeypatch):
    """Run the CLI against the test's ledger; returns (exit code, output)."""
    monkeypatch.setenv("CASINO_LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASINO_LEDGER_SECRET", TEST_SECRET)
    monkeypatch.setenv("COLUMNS", "200")
    # The CLI's console is made at import: under pytest-xdist it may have taken
    # its width before COLUMNS was set, so the tables are widened here too.
    monkeypatch.setattr(cli_console, "_width", 200)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["audit", *args])
        return result.exit_code, result.output

    return invoke


def test_balances_as_of_a_time(run, services, frozen_clock):
    adjust(services, "p1", "USDT", "100")
    then = frozen_clock.now()
    frozen_clock.advance(timedelta(minutes=1))
    adjust(services, "p1", "USDT", "-40")
    code, out = run("balances", "--player", "p1", "--at", then.isoformat())
    assert code == 0, out
    assert "100.000000" in out and "60.000000" not in out
    code, out = run("balances", "--player", "p1", "--at", "2026-01-15T12:00:00")
    assert code == 2 and "time zone" in out


def test_replay_reports_equal_then_a_corrupted_row(run, services, frozen_clock):
    adjust(services, "p1", "USDT", "100")
    caught_up(services)
    code, out = run("replay")
    assert code == 0 and "equal: 0 differing rows" in out, out
    with services.balances.db.transaction() as cursor:
        cursor.execute("UPDATE {s}balances SET bonus = ? WHERE player_id = ?", ("9", "p1"))
    code, out = run("replay")
    assert code == 1 and "balances.balances" in out and '"player_id": "p1"' in out, out
    assert "different: 1 differing rows" in out


def test_replay_until_a_time(run, services, frozen_clock):
    adjust(services, "p1", "USDT", "100")
    code, out = run("replay", "--until", frozen_clock.now().isoformat())
    assert code == 0 and "rebuilt" in out, out
    code, out = run("replay", "--until", "2099-01-01T00:00:00Z")
    assert code == 2 and "future" in out
