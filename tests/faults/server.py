"""A `casino-ledger serve` process that can be killed and started again on its port.

The fault tests and the soak (bench/soak.py) kill it with SIGKILL (the whole
process group, as a crash or the OOM killer would) and start it again on the
same port, so that clients retrying by requestId find it where it was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tests.e2e.test_serve_process import COMMAND, free_port, server_env, wait_for_health

PROVIDER, PROVIDER_SECRET = "acme", "acme-secret-0123456789"
# A regtest address the withdrawals pay to (never sent: no hot key is configured).
DESTINATION = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"


def bitcoin_config(folder: Path, node: Any, xpub: str | None = None) -> Path:
    """The regtest node (`tests/chains/btc_rpc_server.py`) as the bitcoin chain:
    withdrawals of BTC are taken only with a node configured."""
    url = urlparse(node.url)
    rpc = url._replace(netloc=f"{node.user}:{node.password}@{url.netloc}").geturl()
    config = folder / "casino.toml"
    config.write_text(f"""
[cashier.chains.bitcoin]
kind = "bitcoin"
network = "regtest"
currencies = ["BTC"]
confirmations = 2
rpc_url = "{rpc}"
""" + (f'xpub = "{xpub}"\n' if xpub else ""))
    return config


def fault_env(database_url: str, folder: Path, node: Any) -> dict:
    return server_env(database_url, CASINO_LEDGER_CONFIG=str(bitcoin_config(folder, node)),
                      CASINO_LEDGER_PROVIDER_SECRETS=json.dumps({PROVIDER: PROVIDER_SECRET}),
                      CASINO_LEDGER_READ_WAIT_MS="10000")


class Served:
    """`serve --workers 1` (API, projections and scheduler in one process) on a fixed port."""

    def __init__(self, env: dict, cwd: Path, workers: int = 1):
        self.env, self.cwd, self.workers = env, cwd, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def log_path(self) -> Path:
        return self.cwd / f"serve-{self.starts}.log"

    def start(self, timeout: float = 40) -> None:  # float-ok: seconds
        self.starts += 1
        with self.log_path().open("w") as sink:
            self.process = subprocess.Popen(
                [*COMMAND, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env, cwd=self.cwd, stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 40) -> dict:  # float-ok: seconds
        assert self.process is not None
        return wait_for_health(self.url, self.process, self.log_path().read_text, timeout)

    def kill(self) -> None:
        """SIGKILL, to the API and every process it started."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

