"""Write-path benchmark: wallet commands per second, projection catch-up, raw baseline.

    .venv/bin/python bench/ledger_write.py [--seconds N] [--threads 1,4,8]
                                           [--backends sqlite,postgres]
                                           [--peer-threads 20] [--peer-accounts 50] [--no-peer]

For each backend it builds the ledger with `bootstrap` in a scratch place (a
temporary SQLite file; a temporary PostgreSQL database, dropped at the end),
opens one funded USDT wallet per player, and for each thread count runs
`ledger.execute(Adjust(...))`: random credits and debits over the players, each
command its own requestId, so each appends the wallet event and its Request
record. It does so twice: with `group_commit=0` (each command its own
transaction) and with the group commit that `bootstrap` uses by default (a
writer thread saves the queued commands in one transaction). Then it times
`projections.catch_up()` over everything written, checks the balances view
against the amounts the commands moved, and runs the baseline: one INSERT per
commit into a comparable plain table, with the same thread counts, and on
PostgreSQL the peer ledger pgledger in the same database (bench/peers.py):
every rate is also printed as a ratio to its transfers/s.
Everything it created is removed at the end, on Ctrl-C too. Not a test.
What it shares with the other benchmarks is in bench/common.py (timed runs,
machine lines, tables) and bench/scratch.py (scratch databases, raw baseline).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import Services, bootstrap  # noqa: E402
from api.config.settings import Settings  # noqa: E402
from bench import peers  # noqa: E402
from bench.common import (  # noqa: E402
    CURRENCY,
    DEFAULT_POSTGRES,
    Run,
    backends_list,
    drive,
    errors_cell,
    machine,
    markdown,
    run_main,
    say,
    threads_list,
)
from bench.scratch import (  # noqa: E402
    RAW_PATH,
    raw_rates,
    raw_runs,
    scratch,
)
from domain.wallet.commands import Adjust  # noqa: E402
from domain.wallet.model import Wallet  # noqa: E402

OPENING = Decimal("1000000.000000")  # far above any run's debits: none is refused
SECRET = "bench-signing-key-" + "0" * 32


# The ledger, through the domain layer.

def open_wallets(services: Services, players: int) -> None:
    """One funded wallet per player, saved in batches (setup, not measured)."""
    for first in range(0, players, 200):
        wallets = []
        for n in range(first, min(players, first + 200)):
            wallet = Wallet(player_id=f"p{n}", currency=CURRENCY,
                            request_id=f"open-{n}", reference="")
            wallet.credit(OPENING, balance="cash", tag="ADJUSTMENT",
                          request_id=f"open-{n}", reference=f"adjustment:open-{n}",
                          actor="bench", memo="opening balance")
            wallets.append(wallet)
        services.ledger.save(*wallets)


def command_worker(services: Services, label: str, players: int
                   ) -> Callable[[int], Callable[[int], Decimal]]:
    def make(thread: int) -> Callable[[int], Decimal]:
        rng = random.Random(f"{label}-{thread}")

        def work(i: int) -> Decimal:
            amount = Decimal(rng.randint(1, 1_000_000)).scaleb(-4)  # 0.0001 .. 100
            if rng.random() < 0.5:
                amount = -amount
            services.ledger.execute(Adjust(
                request_id=f"{label}-t{thread}-{i}", player_id=f"p{rng.randrange(players)}",
                currency=CURRENCY, amount=amount, balance="cash", reason="benchmark",
                actor="bench"))
            return amount
        return work
    return make


def catch_up(services: Services) -> tuple[int, float]:
    head = services.ledger.head()
    began = time.perf_counter()
    services.projections.catch_up()
    return head, time.perf_counter() - began


def check_balances(services: Services, players: int, moved: Decimal) -> bool:
    """The balances view holds exactly the opening balances plus what the commands moved."""
    totals = services.balances.totals(CURRENCY)
    return totals["available"] + totals["locked"] == OPENING * players + moved


# One backend, start to finish.

def group_commit_sizes(args: argparse.Namespace) -> list[int]:
    """0 (one transaction per command) and the batch size `bootstrap` uses by default."""
    field_ = Settings.model_fields.get("group_commit")
    if field_ is None:  # a ledger from before group commit: one path only
        return [0]
    return [0, args.group_commit if args.group_commit is not None else field_.default]


def bench_ledger(url: str, backend: str, group: int, args: argparse.Namespace,
                 stop: threading.Event) -> tuple[list[Run], Decimal, Services]:
    """The thread counts through one ledger; its services are left open for the caller."""
    options = {"group_commit": group} if "group_commit" in Settings.model_fields else {}
    services = bootstrap(Settings(database_url=url, secret=SECRET, **options))
    try:
        if services.ledger.head() == 0:
            open_wallets(services, args.players)
        for n in range(args.players):  # a warm aggregate cache, as in a running server
            services.ledger.wallet(f"p{n}", CURRENCY)
        runs, moved = [], Decimal(0)
        path = f"group commit {group}" if group else "one command per txn"
        for n in args.threads:
            say(f"{backend}: ledger, {path}, {n} thread(s)")
            head, batches = services.ledger.head(), batch_counters(services)
            run = drive(Run(backend, path, n), args.seconds,
                        command_worker(services, f"{backend}-{group}-{n}", args.players),
                        stop)
            run.events = services.ledger.head() - head
            done = [b - a for b, a in zip(batch_counters(services), batches)]
            run.batch = done[1] / done[0] if group and done[0] else 1.0 if not group else None
            moved += run.moved
            runs.append(run)
        return runs, moved, services
    except BaseException:
        services.close()
        raise


def batch_counters(services: Services) -> tuple[int, int]:
    commands = services.ledger.commands
    return getattr(commands, "batches", 0), getattr(commands, "batched", 0)


def bench_backend(backend: str, args: argparse.Namespace, stop: threading.Event,
                  ) -> tuple[list[Run], dict[str, object]]:
    with ExitStack() as stack:
        url, raw = stack.enter_context(scratch(backend, args.postgres))
        runs, moved, services = [], Decimal(0), None
        try:
            for group in group_commit_sizes(args):
                if services is not None:
                    services.close()  # one ledger at a time; the last one projects
                    services = None
                done, moved_here, services = bench_ledger(url, backend, group, args, stop)
                runs += done
                moved += moved_here
            say(f"{backend}: projection catch-up")
            events, took = catch_up(services)
            projection = {"backend": backend, "events": events, "seconds": took,
                          "views": list(services.projections.views),
                          "balanced": check_balances(services, args.players, moved),
                          "trial": services.journal.trial_balance().get(CURRENCY)}
        finally:
            if services is not None:
                services.close()
        runs += raw_runs(backend, raw, args.threads, args.seconds, stop)
        runs += peers.peer_runs(backend, raw, args, stop)
        return runs, projection


# Printing.

def table(runs: list[Run]) -> list[str]:
    raw, peer = raw_rates(runs), peers.peer_rate(runs)
    rows = []
    for r in runs:
        ledger = r.path not in (RAW_PATH, peers.PEER_PATH)
        events = f"{r.events / r.seconds:,.0f}" if r.events is not None else "-"
        batch = f"{r.batch:.1f}" if r.batch is not None else "-"
        ratio = (f"{r.rate / raw[r.backend, r.threads]:.2f}"
                 if ledger and raw.get((r.backend, r.threads)) else "-")
        rows.append((r.backend, r.path, r.threads, f"{r.rate:,.0f}",
                     peers.times_peer(r.rate, peer), events, batch,
                     f"{r.percentile(0.5):.2f}", f"{r.percentile(0.99):.2f}", ratio,
                     f"{r.py_cpu:.0%}", f"{r.host_cpu:.0%}", errors_cell(r)))
    return markdown(("backend", "path", "threads", "commands/s", peers.PEER_COLUMN,
                     "events/s", "cmds/txn", "p50 ms", "p99 ms", "vs raw", "py CPU",
                     "host CPU", "errors"), rows)


def projection_table(rows: list[dict[str, object]]) -> list[str]:
    cells = []
    for p in rows:
        rate = p["events"] / p["seconds"] if p["seconds"] else 0  # type: ignore[operator]
        cells.append((p["backend"], f"{p['events']:,}", f"{p['seconds']:.2f}", f"{rate:,.0f}",
                      "yes" if p["balanced"] else "NO", p["trial"]))
    return markdown(("backend", "events", "seconds", "events/s", "balances match commands",
                     "trial balance"), cells)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="length of each measured run (default 3)")
    parser.add_argument("--threads", default="1,4,8", help="thread counts (default 1,4,8)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--group-commit", type=int, default=None,
                        help="batch size of the group-commit runs (default: the "
                             "Settings default)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="a server connection for creating the scratch database")
    peers.add_arguments(parser)
    args = parser.parse_args(argv)
    args.threads = threads_list(args.threads)
    args.backends = backends_list(args.backends, parser)
    peers.check_arguments(args, parser)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_main(lambda stop: measure(args, argv, stop))


def measure(args: argparse.Namespace, argv: list[str] | None, stop: threading.Event) -> None:
    runs, projections = [], []
    header = machine(args.postgres if "postgres" in args.backends else None)
    for backend in args.backends:
        done, projection = bench_backend(backend, args, stop)
        runs += done
        projections.append(projection)
    views = ", ".join(projections[0]["views"]) if projections else "none"
    command = " ".join(["bench/ledger_write.py", *(argv if argv is not None else sys.argv[1:])])
    print("\n".join([
        f"casino-ledger write benchmark: {command}", "", *header, "",
        f"{args.seconds:g} s per run, {args.players} players with one USDT wallet each, random "
        "credits and debits. Every command appends 2 events (wallet event + Request record); "
        "'one command per txn' commits each alone, 'group commit N' lets one writer thread "
        "put up to N queued commands in a transaction. Raw INSERT: one row per commit "
        "(commits/s); pgledger: transfers/s. " + peers.peer_line(runs, args), "",
        *table(runs), "", f"Projection catch-up ({views}) over everything written:", "",
        *projection_table(projections)]))


if __name__ == "__main__":
    main()
