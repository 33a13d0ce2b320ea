"""Soak: load held for minutes while the server is killed and PostgreSQL restarted.

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 12] [--players 8]
                                   [--every 15]

In a scratch PostgreSQL cluster of its own (tests/faults/cluster.py: initdb in a
temporary folder, as the `postgres` user when run as root) and a `serve
--workers 1` process over it, `--clients` threads bet, settle, claim rakeback
and ask for withdrawals (tests/faults/load.py), each request retried by its
requestId until it is answered. Every `--every` seconds one fault is
injected, in turn: the server killed with SIGKILL and started again, a
`pg_ctl restart -m fast`, and an immediate shutdown of PostgreSQL (a crash)
with two seconds down. At the end the load stops and the same checks as the
suite's fault tests run: every acknowledged command in the log exactly once,
no negative balance, a zero trial balance, `audit replay` equal.

It prints what it did (commands acknowledged, faults injected, requests
retried) and exits 1 if anything was lost. Not a test; nothing it creates is
left behind. Figures belong in docs/benchmarks.md only from a quiet machine.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import run_main, say  # noqa: E402


def soak(args: argparse.Namespace, stop: threading.Event) -> None:
    from tests.chains.btc_regtest import RegtestChain
    from tests.chains.btc_rpc_server import RegtestRpcServer
    from tests.faults.cluster import ScratchCluster
    from tests.faults.load import check_nothing_lost, under_load
    from tests.faults.server import fault_env

    folder = Path(tempfile.mkdtemp(prefix="casino-soak-"))
    chain = RegtestChain()
    chain.mine(1)
    node = RegtestRpcServer(chain)
    cluster = ScratchCluster()
    try:
        cluster.start()
        url = f"{cluster.url}?schema=ledger"
        env = fault_env(url, folder, node)
        ending = time.monotonic() + args.minutes * 60
        say(f"{args.clients} clients for {args.minutes} min, a fault every {args.every} s")
        faults = {"kill": 0, "fast": 0, "immediate": 0}
        with under_load(env, folder, args.clients, sys.maxsize, args.players,
                        lambda: time.monotonic() < ending and not stop.is_set(),
                        ) as (server, load):
            for fault in itertools.cycle(faults):
                if stop.wait(max(min(args.every, ending - time.monotonic()), 0)) or (
                        time.monotonic() >= ending) or load.failures:
                    break
                inject(fault, server, cluster)
                faults[fault] += 1
                say(f"{fault}: {len(load.acknowledged)} acknowledged so far")
        say("checking the log, the balances, the trial balance and a verified replay")
        check_nothing_lost(url, load, env, folder)
        print(f"soak: {len(load.acknowledged)} commands acknowledged, "
              f"{faults['kill']} SIGKILLs, {faults['fast']} fast and {faults['immediate']} "
              f"immediate PostgreSQL restarts, {load.retries} requests retried: "
              "nothing lost or doubled")
    finally:
        cluster.close()
        node.close()
        chain.close()
        shutil.rmtree(folder, ignore_errors=True)


def inject(fault: str, server, cluster) -> None:
    if fault == "kill":
        server.kill()
        server.start()
    elif fault == "fast":
        cluster.restart("fast")
    else:
        cluster.restart("immediate", down=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--players", type=int, default=8)
    parser.add_argument("--every", type=float, default=15, help="seconds between faults")
    args = parser.parse_args()
    run_main(lambda stop: soak(args, stop))


if __name__ == "__main__":
    main()
