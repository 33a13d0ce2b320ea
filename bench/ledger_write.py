"""Write-path benchmark: wallet commands per second, projection catch-up, raw baseline.

    .venv/bin/python bench/ledger_write.py [--seconds N] [--threads 1,4,8]
                                           [--backends sqlite,postgres]

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
commit into a comparable plain table, with the same thread counts.
Everything it created is removed at the end, on Ctrl-C too. Not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import Services, bootstrap  # noqa: E402
from api.settings import Settings  # noqa: E402
from domain.adjustments import Adjust  # noqa: E402
from domain.wallet import Wallet  # noqa: E402

CURRENCY = "USDT"
OPENING = Decimal("1000000.000000")  # far above any run's debits: none is refused
SECRET = "bench-signing-key-" + "0" * 32
RAW_TABLE = ("CREATE TABLE bench_raw (id {serial}, player_id TEXT NOT NULL, "
             "currency TEXT NOT NULL, amount {decimal} NOT NULL, "
             "request_id TEXT NOT NULL UNIQUE, created_at {time} NOT NULL)")


@dataclass
class Run:
    backend: str
    path: str
    threads: int
    ops: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    moved: Decimal = Decimal(0)
    py_cpu: float = 0.0
    host_cpu: float = 0.0
    events: int | None = None
    batch: float | None = None  # commands per transaction

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0


# Driving N threads for a fixed time.

def drive(run: Run, seconds: float, make_worker: Callable[[int], Callable[[int], Decimal]],
          stop: threading.Event) -> Run:
    """Each thread calls its worker with 0, 1, 2... until time is up; times each call."""
    workers = [make_worker(t) for t in range(run.threads)]
    barrier = threading.Barrier(run.threads + 1)
    lock = threading.Lock()

    def loop(work: Callable[[int], Decimal]) -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        local, moved, i = [], Decimal(0), 0
        while not stop.is_set() and time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                moved += work(i)
                local.append(time.perf_counter() - began)
            except Exception as error:  # noqa: BLE001 - counted and shown in the table
                with lock:
                    run.errors[type(error).__name__] += 1
            i += 1
        with lock:
            run.latencies += local
            run.moved += moved

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    host0, cpu0, start = host_ticks(), time.process_time(), time.perf_counter()
    deadline = start + seconds
    try:
        barrier.wait()
        for thread in threads:
            while thread.is_alive():  # short joins, so Ctrl-C reaches the main thread
                thread.join(0.2)
    except BaseException:
        stop.set()  # the workers finish their command before the databases go
        barrier.abort()
        for thread in threads:
            thread.join(10)
        raise
    run.seconds = time.perf_counter() - start
    run.py_cpu = (time.process_time() - cpu0) / run.seconds
    busy, total = (b - a for b, a in zip(host_ticks(), host0))
    run.host_cpu = busy / total if total else 0.0
    run.ops = len(run.latencies)
    for work in workers:
        getattr(work, "close", lambda: None)()
    return run


def host_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


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


# The baseline: one INSERT per commit, no library.

def postgres_raw_worker(url: str, label: str) -> Callable[[int], Callable[[int], Decimal]]:
    def make(thread: int) -> Callable[[int], Decimal]:
        conn = psycopg.connect(url)
        rng = random.Random(f"raw-{label}-{thread}")

        def work(i: int) -> Decimal:
            amount = Decimal(rng.randint(1, 1_000_000)).scaleb(-4)
            try:
                conn.execute(
                    "INSERT INTO bench_raw (player_id, currency, amount, request_id, "
                    "created_at) VALUES (%s, %s, %s, %s, now())",
                    (f"p{rng.randrange(1000)}", CURRENCY, amount, f"{label}-t{thread}-{i}"))
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            return amount
        work.close = conn.close  # type: ignore[attr-defined]
        return work
    return make


def sqlite_raw_worker(path: Path, label: str) -> Callable[[int], Callable[[int], Decimal]]:
    def make(thread: int) -> Callable[[int], Decimal]:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10,
                               check_same_thread=False)
        rng = random.Random(f"raw-{label}-{thread}")

        def work(i: int) -> Decimal:
            amount = Decimal(rng.randint(1, 1_000_000)).scaleb(-4)
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "INSERT INTO bench_raw (player_id, currency, amount, request_id, "
                    "created_at) VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now'))",
                    (f"p{rng.randrange(1000)}", CURRENCY, str(amount), f"{label}-t{thread}-{i}"))
                conn.execute("COMMIT")
            except BaseException:
                conn.rollback()
                raise
            return amount
        work.close = conn.close  # type: ignore[attr-defined]
        return work
    return make


# Scratch databases, removed on the way out whatever happens.

@contextmanager
def no_interrupts() -> Iterator[None]:
    """Hold off Ctrl-C while a cleanup runs, so a second one cannot skip it."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def scratch_sqlite() -> Iterator[tuple[str, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="casino-ledger-bench-"))
    try:
        raw = folder / "raw.sqlite3"
        with sqlite3.connect(raw, isolation_level=None) as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # as the library sets on its file
            conn.execute(RAW_TABLE.format(serial="INTEGER PRIMARY KEY", decimal="TEXT",
                                          time="TEXT"))
        conn.close()
        yield f"sqlite:///{folder}/ledger.sqlite3", raw
    finally:
        with no_interrupts():
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch_postgres(server: str) -> Iterator[tuple[str, str]]:
    name = f"casino_ledger_bench_{uuid.uuid4().hex[:12]}"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            conn.execute(RAW_TABLE.format(serial="BIGSERIAL PRIMARY KEY", decimal="NUMERIC",
                                          time="TIMESTAMPTZ"))
        yield f"{base}/{name}?schema=ledger", f"{base}/{name}"
    finally:
        with no_interrupts(), psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


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
        if backend == "sqlite":
            url, raw = stack.enter_context(scratch_sqlite())
            raw_worker = sqlite_raw_worker
        else:
            url, raw = stack.enter_context(scratch_postgres(args.postgres))
            raw_worker = postgres_raw_worker
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
                          "balanced": check_balances(services, args.players, moved),
                          "trial": services.journal.trial_balance().get(CURRENCY)}
        finally:
            if services is not None:
                services.close()
        for n in args.threads:
            say(f"{backend}: raw INSERT, {n} thread(s)")
            runs.append(drive(Run(backend, "raw INSERT", n), args.seconds,
                              raw_worker(raw, f"{backend}-{n}"), stop))
        return runs, projection


# Printing.

def machine(server: str | None) -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    lines = [f"CPU: {cpu}, {os.cpu_count()} cores",
             f"Python: {platform.python_version()} ({platform.platform()})"]
    if server:
        with psycopg.connect(server) as conn:
            version = conn.execute("SELECT version()").fetchone()[0]
            fsync = conn.execute("SHOW fsync").fetchone()[0]
            commit = conn.execute("SHOW synchronous_commit").fetchone()[0]
        lines.append(f"PostgreSQL: {version} (fsync={fsync}, synchronous_commit={commit})")
    lines.append(f"SQLite: {sqlite3.sqlite_version} (WAL, synchronous=FULL default)")
    load = os.getloadavg()[0]
    busy = " (other work is running: expect lower, noisier figures)" if load > 0.5 else ""
    lines.append(f"Load average before the run: {load:.2f}{busy}")
    lines.append(f"Code: {revision()}")
    return lines


def revision() -> str:
    """The commit measured, and whether product code differed from it."""
    repo = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "domain", "projections",
                                "api"], cwd=repo, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {head}" + (" + uncommitted product changes" if dirty.strip() else "")


def table(runs: list[Run]) -> list[str]:
    raw = {(r.backend, r.threads): r.rate for r in runs if r.path == "raw INSERT"}
    lines = ["| backend | path | threads | commands/s | events/s | cmds/txn | p50 ms "
             "| p99 ms | vs raw | py CPU | host CPU | errors |", "|" + "---|" * 12]
    for r in runs:
        ledger = r.path != "raw INSERT"
        events = f"{r.events / r.seconds:,.0f}" if r.events is not None else "-"
        batch = f"{r.batch:.1f}" if r.batch is not None else "-"
        ratio = (f"{r.rate / raw[r.backend, r.threads]:.2f}"
                 if ledger and raw.get((r.backend, r.threads)) else "-")
        errors = ", ".join(f"{k} {v}" for k, v in r.errors.items()) or "0"
        lines.append(
            f"| {r.backend} | {r.path} | {r.threads} | {r.rate:,.0f} | {events} | {batch} "
            f"| {r.percentile(0.5):.2f} | {r.percentile(0.99):.2f} | {ratio} "
            f"| {r.py_cpu:.0%} | {r.host_cpu:.0%} | {errors} |")
    return lines


def projection_table(rows: list[dict[str, object]]) -> list[str]:
    lines = ["| backend | events | seconds | events/s | balances match commands "
             "| trial balance |", "|---|---|---|---|---|---|"]
    for p in rows:
        rate = p["events"] / p["seconds"] if p["seconds"] else 0  # type: ignore[operator]
        lines.append(f"| {p['backend']} | {p['events']:,} | {p['seconds']:.2f} "
                     f"| {rate:,.0f} | {'yes' if p['balanced'] else 'NO'} | {p['trial']} |")
    return lines


def say(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


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
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="a server connection for creating the scratch database")
    args = parser.parse_args(argv)
    args.threads = [int(t) for t in args.threads.split(",")]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up too
    runs, projections = [], []
    header = machine(args.postgres if "postgres" in args.backends else None)
    try:
        for backend in args.backends:
            done, projection = bench_backend(backend, args, stop)
            runs += done
            projections.append(projection)
    except KeyboardInterrupt:
        stop.set()
        print("interrupted: scratch databases removed", file=sys.stderr)
        sys.exit(130)
    command = " ".join(["bench/ledger_write.py", *(argv if argv is not None else sys.argv[1:])])
    print("\n".join([
        f"casino-ledger write benchmark: {command}", "", *header, "",
        f"{args.seconds:g} s per run, {args.players} players with one USDT wallet each, random "
        "credits and debits. Every command appends 2 events (wallet event + Request record); "
        "'one command per txn' commits each alone, 'group commit N' lets one writer thread "
        "put up to N queued commands in a transaction. Raw INSERT: one row per commit.", "",
        *table(runs), "", "Projection catch-up (balances, ledger_entries, journal) over "
        "everything written:", "", *projection_table(projections)]))

if __name__ == "__main__":
    main()
