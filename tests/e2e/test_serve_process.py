"""The real `casino-ledger serve` process over real HTTP, stopped and started again.

Each server runs on a free port with its own environment and log file; every
wait is bounded, and the fixture kills whatever is still running at the end.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from api.http.auth import Role, TokenIssuer
from api.bootstrap import bootstrap
from api.config.settings import Settings

SECRET = "serve-test-signing-key-" + "1" * 32
SCRIPT = Path(sys.executable).with_name("casino-ledger")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "api.cli.main"]
START_TIMEOUT = 30.0


def server_env(database_url: str, secret: str | None = SECRET, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CASINO_LEDGER_") or k.startswith("CASINO_LEDGER_TEST_")}
    env |= {"CASINO_LEDGER_DATABASE_URL": database_url, "COLUMNS": "200",
            "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", **extra}
    if secret:
        env["CASINO_LEDGER_SECRET"] = secret
    return env


def run_cli(env: dict, cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def cli_token(env: dict, cwd: Path, role: str, subject: str) -> dict[str, str]:
    done = run_cli(env, cwd, "token", "--role", role, "--subject", subject)
    assert done.returncode == 0, done.stderr
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, log: Callable[[], str],
                    timeout: float = START_TIMEOUT) -> dict:  # float-ok: seconds
    """/healthz's answer once the server gives one; fails if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited early:\n{log()}"
        try:
            health = httpx.get(f"{url}/healthz", timeout=2)
            if health.status_code == 200:
                return health.json()
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"serve did not answer /healthz in {timeout}s:\n{log()}")


class Server:
    def __init__(self, env: dict, cwd: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        with log.open("w") as sink:
            self.process = subprocess.Popen(
                [*COMMAND, "serve", "--port", str(self.port)], env=env, cwd=cwd,
                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_healthy(self) -> dict:
        return wait_for_health(self.url, self.process, self.log)

    def stop(self) -> int:
        """SIGTERM, then the exit status of a graceful shutdown."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"serve ignored SIGTERM for 15s:\n{self.log()}")
        assert code in (0, -signal.SIGTERM), self.log()
        assert "Application shutdown complete" in self.log(), self.log()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    started: list[Server] = []

    def start(env: dict) -> Server:
        server = Server(env, tmp_path, tmp_path / f"serve-{len(started)}.log")
        started.append(server)
        server.wait_healthy()
        return server

    yield start
    for server in started:
        server.kill()


def projection_rows(output: str) -> dict[str, tuple[int, int, int]]:
    """The (position, head, lag) of each view in `projections status` output."""
    found = re.findall(r"(\w+)\W+(\d+)\W+(\d+)\W+(\d+)", output)
    return {name: (int(p), int(h), int(lag)) for name, p, h, lag in found}


def usdt(server: Server, headers: dict, at: int) -> dict:
    read = httpx.get(f"{server.url}/v1/players/p1/balances", timeout=10,
                     headers={**headers, "X-Min-Position": str(at)})
    assert read.status_code == 200, read.text
    assert read.headers["X-View-Lag"] == "0"
    [balance] = read.json()["balances"]
    return balance


def adjust(server: Server, headers: dict, request_id: str, amount: str) -> int:
    body = {"requestId": request_id, "playerId": "p1", "currency": "USDT",
            "amount": amount, "balance": "cash", "reason": "served test"}
    done = httpx.post(f"{server.url}/v1/admin/adjustments", json=body, headers=headers,
                      timeout=10)
    assert done.status_code == 200, done.text
    assert int(done.headers["X-Log-Position"]) == done.json()["position"]
    return done.json()["position"]


def test_served_balances_survive_a_restart_without_being_applied_twice(
        serve, database_url, tmp_path):
    env = server_env(database_url)
    finance = cli_token(env, tmp_path, "finance", "fin-1")
    player = cli_token(env, tmp_path, "player", "p1")

    first = serve(env)
    adjust(first, finance, "served-1", "2.5")
    position = adjust(first, finance, "served-2", "-0.5")
    before = usdt(first, player, position)
    assert Decimal(before["cash"]) == 2
    first.stop()

    status = run_cli(env, tmp_path, "projections", "status")
    assert status.returncode == 0, status.stderr
    rows = projection_rows(status.stdout)
    for name in ("balances", "ledger_entries", "journal"):
        assert rows[name] == (position, position, 0), status.stdout
    rebuilt = run_cli(env, tmp_path, "projections", "rebuild", "balances")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"balances rebuilt to position {position}" in rebuilt.stdout

    second = serve(env)
    assert usdt(second, player, position) == before
    ledger = httpx.get(f"{second.url}/v1/players/p1/ledger", headers=player, timeout=10)
    assert [e["requestId"] for e in ledger.json()["entries"]] == ["served-2", "served-1"]
    views = httpx.get(f"{second.url}/v1/admin/projections", headers=finance, timeout=10)
    assert all((v["position"], v["head"], v["lag"], v["error"]) == (
        position, position, 0, None) for v in views.json()), views.text
    later = adjust(second, finance, "served-3", "1")
    assert Decimal(usdt(second, player, later)["cash"]) == 3
    second.stop()

    services = bootstrap(Settings(database_url=database_url, secret=SECRET))
    try:
        assert set(services.journal.trial_balance().values()) == {0}
        assert services.journal.account_balances("USDT")[
            ("USDT", "player:p1:available")] == 3
    finally:
        services.close()


def test_serve_without_a_secret_on_sqlite_makes_a_dev_key_and_warns(serve, tmp_path):
    data = tmp_path / "data"
    env = server_env(f"sqlite:///{data}/ledger.sqlite3", secret=None)
    server = serve(env)
    key_file = data / "dev-secret.key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32
    warnings = [line for line in server.log().splitlines()
                if "CASINO_LEDGER_SECRET is not set" in line]
    assert warnings and "WARNING" in warnings[0] and str(key_file) in warnings[0]

    operator = cli_token(env, tmp_path, "operator", "ops-1")
    views = httpx.get(f"{server.url}/v1/admin/projections", headers=operator, timeout=10)
    assert views.status_code == 200, views.text
    token = operator["Authorization"].removeprefix("Bearer ")
    assert TokenIssuer(key).verify(token).role == Role.OPERATOR
    assert key_file.read_text().strip() == key


@pytest.mark.parametrize("variable, value", [
    ("CASINO_LEDGER_DATABASE_URL", "mysql://x"),
    ("CASINO_LEDGER_SECRET", "too-short"),
    ("CASINO_LEDGER_READ_WAIT_MS", "soon"),
    ("CASINO_LEDGER_TOKEN_TTL", "0"),
])
def test_an_invalid_setting_stops_serve_naming_the_variable(tmp_path, variable, value):
    env = server_env(f"sqlite:///{tmp_path}/ledger.sqlite3") | {variable: value}
    done = run_cli(env, tmp_path, "serve", "--port", str(free_port()), timeout=30)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert variable in output, output
    assert "Traceback" not in output, output
    assert not (tmp_path / "ledger.sqlite3").exists()
