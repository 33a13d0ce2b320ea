"""`serve` killed with SIGKILL three times under load, on PostgreSQL: nothing lost.

Six clients bet, settle, claim rakeback and ask for withdrawals on four shared
wallets while the server is killed (the whole process group, mid-request)
and started again on its port, three times. Every client retries each
request by its requestId until it is answered. Then every acknowledged
command is in the log exactly once, no balance is negative, the trial
balance is zero and `audit replay` finds every view equal to a rebuild.
"""

from __future__ import annotations

import pytest

from tests.factories import postgres_url
from tests.faults.load import check_nothing_lost, under_load
from tests.faults.server import fault_env

pytestmark = pytest.mark.postgres_only
CLIENTS, TURNS, KILLS = 6, 10, 3


def test_serve_killed_three_times_under_load_loses_and_doubles_nothing(
        postgres_database, tmp_path, bitcoin_regtest):
    url = postgres_url(postgres_database)
    env = fault_env(url, tmp_path, bitcoin_regtest)
    with under_load(env, tmp_path, CLIENTS, TURNS) as (server, load):
        for kill in range(1, KILLS + 1):
            load.reached(kill / (KILLS + 2), f"load before kill {kill}")
            server.kill()
            server.start()
    assert load.retries > 0, "no request met a dead server: the kills missed the load"
    assert server.starts == KILLS + 1
    check_nothing_lost(url, load, env, tmp_path)
