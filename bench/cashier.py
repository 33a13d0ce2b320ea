"""Cashier benchmark: deposits credited and withdrawals requested per second.

    .venv/bin/python bench/cashier.py [--seconds N] [--threads 1,8] [--blocks N]
                                      [--per-block N] [--evm-deposits N]
                                      [--backends sqlite,postgres]
                                      [--peer-threads 20] [--peer-accounts 50] [--no-peer]

For each backend, in a scratch place (removed at the end), through the domain
layer as `bootstrap` builds it (group commit included):

1. deposits: the watcher's ledger side alone. N players get deposit
   addresses (not timed); then, timed, one thread scans `--blocks` synthetic
   blocks (on a "bsc" chain) of `--per-block` BNB transfers to those addresses plus the 11 empty
   blocks that bring the last ones to 12 confirmations (`ScanBlock`, as the
   watcher sends it). Deposits credited per second.
2. deposits end to end on eth-tester (in-process EVM, the real adapters):
   `--evm-deposits` payments, one per block (not timed), then the watcher
   (`cashier.watch()`) reads and credits them: the chain reads included.
3. withdrawal requests: `Cashier.request_withdrawal` (EIP-55 validation, AML
   screen, minimum, lock) of 0.005 ETH each, from 1 and 8 threads, each
   thread on its own players, for `--seconds`.
4. the raw INSERT baseline of bench/scratch.py at the same thread counts;
   "vs raw" = ledger operations/s over raw commits/s (1 thread for deposits);
5. on PostgreSQL, the peer ledger pgledger in the same database
   (bench/peers.py), for `--seconds`; "x pgledger" is every rate over its
   transfers/s.

Checks (projections caught up): the trial balance is zero; every deposit is
credited once (cash = deposits per player); locked cash = the requests made.
Loopback only. Not a test.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import Services, bootstrap  # noqa: E402
from api.cashier_wiring import ChainClients  # noqa: E402
from api.config.settings import Settings  # noqa: E402
from bench.bets import in_parallel  # noqa: E402
from bench import peers  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_POSTGRES, Run, backends_list, drive, errors_cell, load_line, machine, markdown,
    run_main, say, threads_list)
from bench.scratch import RAW_PATH, raw_rates, raw_runs, scratch  # noqa: E402
from chain.evm_addresses import EvmAddressValidator  # noqa: E402
from domain.wallet.commands import Adjust  # noqa: E402
from domain.cashier.deposits.addresses import AssignDepositAddress, address_book_key  # noqa: E402
from domain.cashier.deposits.commands import Incoming, OpenWatch, ScanBlock  # noqa: E402

SECRET = "bench-signing-key-" + "0" * 32
CONFIG = """
[cashier.chains.ethereum]
kind = "evm"
currencies = ["ETH", "USDT"]
confirmations = 12
[cashier.chains.bsc]
kind = "evm"
currencies = ["BNB"]
confirmations = 12
"""
AMOUNT = Decimal("0.01")
WITHDRAWAL = Decimal("0.005")
DESTINATION = "0x" + "ab" * 20


def block_hash(height: int) -> str:
    return f"0x{height:064x}"


def address(index: int) -> str:
    return EvmAddressValidator().normalize(f"0x{index + 1:040x}")


def synthetic_deposits(services: Services, args: argparse.Namespace) -> Run:
    ledger = services.ledger
    players = [f"d{n}" for n in range(args.players)]
    in_parallel(lambda p: ledger.execute(AssignDepositAddress(p, "BNB", derive=address)),
                players)
    book = ledger.repository.get(address_book_key("bsc"))
    addresses = list(book.owners)
    ledger.execute(OpenWatch("bsc", 0, block_hash(0)))
    run = Run(services.settings.database_url.split(":")[0].replace("postgresql", "postgres"),
              "deposits credited (ScanBlock)", 1)
    began = time.perf_counter()
    for height in range(1, args.blocks + 12):
        transfers = tuple(Incoming("BNB", f"0x{height:032x}{k:032x}", 0,
                                   addresses[(height * args.per_block + k) % len(addresses)],
                                   AMOUNT)
                          for k in range(args.per_block if height <= args.blocks else 0))
        result = ledger.execute(ScanBlock("bsc", height, block_hash(height),
                                          block_hash(height - 1), transfers)).result
        run.ops += len(result.credited)
    run.seconds = time.perf_counter() - began
    run.moved = AMOUNT * run.ops
    return run


def evm_deposits(services: Services, evm: Any, backend: str, count: int) -> Run:
    cashier = services.cashier
    run = Run(backend, "deposits credited (eth-tester, watcher)", 1)
    cashier.watch()
    for n in range(count):
        evm.pay(cashier.deposit_address(f"e{n % 50}", "ETH").result.address, AMOUNT)
    evm.mine(11)
    began = time.perf_counter()
    run.ops = sum(summary["credited"] for summary in cashier.watch())
    run.seconds = time.perf_counter() - began
    return run


def withdrawal_worker(services: Services, label: str, players: list[str], threads: int):
    def make(thread: int) -> Any:
        mine = players[thread::threads]

        def work(i: int) -> Decimal:
            services.cashier.request_withdrawal(
                request_id=f"{label}-{thread}-{i}", player_id=mine[i % len(mine)],
                currency="ETH", amount=WITHDRAWAL, destination=DESTINATION,
                requested_by="bench")
            return WITHDRAWAL
        return work
    return make


# One backend, start to finish.

def bench_backend(backend: str, args: argparse.Namespace, stop: threading.Event,
                  folder: Path) -> tuple[list[Run], dict[str, Any]]:
    from tests.cashier_chains import evm_clients
    from tests.chains.evm import EthTesterEvm

    config = folder / f"cashier-{backend}.toml"
    config.write_text(CONFIG)
    evm = EthTesterEvm()
    with scratch(backend, args.postgres) as (url, raw):
        services = bootstrap(Settings(database_url=url, secret=SECRET, config=config),
                             chains={"ethereum": evm_clients(evm, hot_eth="0")})
        try:
            say(f"{backend}: {args.blocks} blocks of {args.per_block} deposits")
            runs = [synthetic_deposits(services, args)]
            runs[0].backend = backend
            say(f"{backend}: {args.evm_deposits} deposits on eth-tester")
            runs.append(evm_deposits(services, evm, backend, args.evm_deposits))
            players = [f"w{n}" for n in range(args.players)]
            in_parallel(lambda p: services.ledger.execute(Adjust(
                request_id=f"fund-{p}", player_id=p, currency="ETH", amount=Decimal(1000),
                balance="cash", reason="benchmark", actor="bench")), players)
            for n in args.threads:
                say(f"{backend}: withdrawal requests, {n} thread(s)")
                runs.append(drive(Run(backend, "withdrawals requested", n), args.seconds,
                                  withdrawal_worker(services, f"{backend}-{n}", players, n),
                                  stop))
            services.projections.catch_up()
            checks = check(services, runs, args)
        finally:
            services.close()
            evm.close()
        runs += raw_runs(backend, raw, args.threads, args.seconds, stop)
        runs += peers.peer_runs(backend, raw, args, stop)
        return runs, checks | {"backend": backend}


def check(services: Services, runs: list[Run], args: argparse.Namespace) -> dict[str, Any]:
    trial = services.journal.trial_balance()
    synthetic, on_chain = (r.ops for r in runs[:2])
    requested = sum(r.ops for r in runs if r.path == "withdrawals requested")
    eth, bnb = services.balances.totals("ETH"), services.balances.totals("BNB")
    expected_eth = AMOUNT * on_chain + Decimal(1000) * args.players
    return {"trial_zero": bool(trial) and all(v == 0 for v in trial.values()),
            "credited": synthetic + on_chain, "requested": requested,
            "cash_ok": (eth["available"] + eth["locked"] == expected_eth
                        and bnb["available"] == AMOUNT * synthetic),
            "locked_ok": eth["locked"] == WITHDRAWAL * requested}


def table(runs: list[Run]) -> list[str]:
    raw, peer = raw_rates(runs), peers.peer_rate(runs)
    rows = []
    for r in runs:
        ledger = r.path not in (RAW_PATH, peers.PEER_PATH)
        base = raw.get((r.backend, r.threads))
        rows.append((r.backend, r.path, r.threads, f"{r.ops:,}", f"{r.seconds:.2f}",
                     f"{r.rate:,.0f}/s", peers.times_peer(r.rate, peer),
                     f"{r.percentile(0.5):.2f}" if r.latencies else "-",
                     f"{r.percentile(0.99):.2f}" if r.latencies else "-",
                     f"{r.rate / base:.3f}" if ledger and base else "-", errors_cell(r)))
    return markdown(("backend", "what", "threads", "done", "seconds", "rate",
                     peers.PEER_COLUMN, "p50 ms", "p99 ms", "vs raw", "errors"), rows)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--threads", default="1,8")
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--per-block", type=int, default=20)
    parser.add_argument("--evm-deposits", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    peers.add_arguments(parser)
    args = parser.parse_args(argv)
    args.threads = threads_list(args.threads)
    args.backends = backends_list(args.backends, parser)
    peers.check_arguments(args, parser)
    return args


def measure(args: argparse.Namespace, argv: list[str] | None, stop: threading.Event) -> None:
    from bench.scratch import scratch_folder

    began = time.perf_counter()
    header = machine(args.postgres if "postgres" in args.backends else None)
    runs, checks = [], []
    with scratch_folder() as folder:
        for backend in args.backends:
            done, checked = bench_backend(backend, args, stop, folder)
            runs += done
            checks.append(checked)
    command = " ".join(["bench/cashier.py", *(argv if argv is not None else sys.argv[1:])])
    ok = peers.books_ok(runs) and all(c["trial_zero"] and c["cash_ok"] and c["locked_ok"]
                                      for c in checks)
    print("\n".join([
        f"casino-ledger cashier benchmark: {command}", "", *header,
        load_line("after the run"), f"Wall time: {time.perf_counter() - began:.0f} s", "",
        peers.peer_line(runs, args), "", *table(runs), "",
        "Checks (projections caught up):", "", *markdown(
            ("backend", "deposits credited", "withdrawals requested", "cash = deposits "
             "+ funding", "locked = requests", "trial balance zero"),
            [(c["backend"], c["credited"], c["requested"], c["cash_ok"], c["locked_ok"],
              c["trial_zero"]) for c in checks])]))
    if not ok:
        print("\nCHECKS FAILED", file=sys.stderr)
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_main(lambda stop: measure(args, argv, stop))


if __name__ == "__main__":
    main()
