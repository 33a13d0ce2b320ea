"""`casino-ledger staff`: an account added on the command line signs in to the
console; a second add, a short password and a bad role are refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.context import console as cli_console
from api.cli.main import cli
from api.http.app import create_app
from domain.kernel.public_events import public_event
from domain.staff.model import staff_key
from tests.conftest import TEST_SECRET
from tests.e2e.console_helpers import PASSWORD, enrol


# The command line is the same on either database (the sign-in rules run on both).
@pytest.mark.parametrize("backend", ["sqlite"])
def test_staff_added_on_the_command_line_signs_in(services, database_url, monkeypatch):
    monkeypatch.setenv("CASINO_LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASINO_LEDGER_SECRET", TEST_SECRET)
    monkeypatch.setattr(cli_console, "_width", 200)

    def staff(*args: str, password: str = PASSWORD) -> tuple[int, str]:
        done = CliRunner().invoke(cli, ["staff", *args], input=password + "\n")
        return done.exit_code, done.output

    code, out = staff("add", "ana", "--role", "compliance", "--brand", "lucky",
                      "--password-stdin")
    assert code == 0 and "ana: compliance, brand lucky" in out, out
    code, out = staff("add", "ana", "--role", "finance", "--password-stdin")
    assert code == 2 and "exists" in out
    assert staff("add", "bo", "--role", "finance", "--password-stdin",
                 password="short")[0] == 2
    code, out = staff("add", "cy", "--role", "player", "--password-stdin")
    assert code == 2 and "role" in out
    with TestClient(create_app(services), base_url="https://testserver") as client:
        enrol(client, "ana")
        assert "ana · compliance · lucky" in client.get("/console/").text
    assert staff("unlock", "ana")[0] == 0
    added = public_event(next(iter(services.ledger.events.get(staff_key("ana")))))
    assert added.payload["actor"].startswith("cli:")
    assert PASSWORD not in str(added.payload)
