"""PostgreSQL restarted under load (a scratch cluster the test starts): `serve`, its
views and its scheduler recover by themselves, and nothing acknowledged is lost.

Six clients bet, settle, claim and ask for withdrawals through one `serve`
while its database is restarted twice: `pg_ctl restart -m fast`, then an
immediate shutdown (a crash, recovered from the write-ahead log) with two
seconds down. Clients retry by requestId (a 503 `unavailable` while the
database is away). The server is never restarted; afterwards /healthz is
`ok` with every view at the head and no loop stopped, and the log holds
every acknowledged command exactly once, balances non-negative, the trial
balance zero, and `audit replay` equal.
"""

from __future__ import annotations

import httpx
import pytest

from tests.faults.cluster import ScratchCluster
from tests.faults.load import check_nothing_lost, under_load, wait_for
from tests.faults.server import Served, fault_env

pytestmark = pytest.mark.postgres_only
CLIENTS, TURNS = 6, 12


@pytest.fixture
def cluster():
    scratch = ScratchCluster()
    scratch.start()
    yield scratch
    scratch.close()


def healed(server: Served) -> bool:
    health = httpx.get(f"{server.url}/healthz", timeout=5).json()
    return (health["status"] == "ok"
            and all(v["lag"] == 0 and v["error"] is None for v in health["projections"])
            and all(loop["error"] is None for loop in health["loops"]))


def test_serve_and_its_views_recover_from_database_restarts_under_load(
        cluster, tmp_path, bitcoin_regtest):
    url = f"{cluster.url}?schema=ledger"
    env = fault_env(url, tmp_path, bitcoin_regtest)
    with under_load(env, tmp_path, CLIENTS, TURNS) as (server, load):
        for share, (mode, down) in enumerate([("fast", 0), ("immediate", 2)], start=1):
            load.reached(share / 4, f"load before the {mode} restart")
            cluster.restart(mode, down)
        wait_for(lambda: not load.running, 60, "clients finished")
        wait_for(lambda: healed(server), 20, "views and loops healed")
        assert server.process.poll() is None and server.starts == 1
    check_nothing_lost(url, load, env, tmp_path)
