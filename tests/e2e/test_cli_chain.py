"""`casino-ledger chain ...` as real processes, with the chain clients built from
configuration: a bitcoind JSON-RPC URL (the local regtest chain), a vpub and a
hot key in CASINO_LEDGER_HOT_KEYS."""

from __future__ import annotations

import json
from decimal import Decimal

from api.bootstrap import bootstrap
from api.config.settings import Settings
from tests.chains.keys import BTC_HOT_KEY, BTC_VPUB
from tests.e2e.test_serve_process import SECRET, run_cli, server_env
from tests.faults.server import bitcoin_config

D = Decimal


def configure(tmp_path, node) -> dict:
    config = bitcoin_config(tmp_path, node, BTC_VPUB)
    return {"CASINO_LEDGER_CONFIG": str(config),
            "CASINO_LEDGER_HOT_KEYS": json.dumps({"bitcoin": BTC_HOT_KEY})}


def test_chain_watch_credits_a_deposit_and_reconcile_finds_the_books_balanced(
        database_url, tmp_path, bitcoin_regtest):
    extra = configure(tmp_path, bitcoin_regtest)
    env = server_env(database_url, **extra)
    opened = run_cli(env, tmp_path, "chain", "watch", "--once")
    assert opened.returncode == 0, opened.stderr
    settings = Settings(database_url=database_url, secret=SECRET,
                        config=extra["CASINO_LEDGER_CONFIG"])
    services = bootstrap(settings)
    address = services.cashier.deposit_address("p1", "BTC").result.address
    services.close()
    bitcoin_regtest.chain.pay(address, D("0.75"))
    bitcoin_regtest.chain.mine(2)
    watched = run_cli(env, tmp_path, "chain", "watch", "--once")
    assert watched.returncode == 0, watched.stderr
    assert '"credited": 1' in watched.stdout
    reconciled = run_cli(env, tmp_path, "chain", "reconcile")
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert '"verdict": "balanced"' in reconciled.stdout
    services = bootstrap(settings)
    try:
        assert services.ledger.wallet("p1", "BTC").cash == D("0.75")
    finally:
        services.close()


def test_chain_send_without_a_hot_key_says_so(database_url, tmp_path, bitcoin_regtest):
    extra = configure(tmp_path, bitcoin_regtest)
    del extra["CASINO_LEDGER_HOT_KEYS"]
    done = run_cli(server_env(database_url, **extra), tmp_path, "chain", "send", "--once")
    assert done.returncode == 2 and "no chain has a hot wallet" in done.stdout
