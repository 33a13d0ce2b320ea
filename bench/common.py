"""What the benchmarks share: timed runs over N threads, scratch databases, the raw
baseline, the machine description and Markdown tables.

Used by bench/ledger_write.py and bench/bets.py; not a benchmark itself and not
a test. Every scratch database or folder made here is removed on the way out,
also on Ctrl-C and SIGTERM (`run_main` turns SIGTERM into KeyboardInterrupt).
"""

from __future__ import annotations

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CURRENCY = "USDT"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
RAW_PATH = "raw INSERT"
RAW_TABLE = ("CREATE TABLE bench_raw (id {serial}, player_id TEXT NOT NULL, "
             "currency TEXT NOT NULL, amount {decimal} NOT NULL, "
             "request_id TEXT NOT NULL UNIQUE, created_at {time} NOT NULL)")

# A worker factory: thread number -> a function called with 0, 1, 2... that
# does one operation and returns the money it moved (Decimal(0) if none).
Worker = Callable[[int], Decimal]
WorkerFactory = Callable[[int], Worker]


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
    server_cpu: float | None = None  # another process's CPU (a server), if watched
    events: int | None = None
    batch: float | None = None  # commands per transaction

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-quantile of the latencies, in milliseconds (0 if none)."""
        return percentile(self.latencies, p)


def percentile(latencies: Sequence[float], p: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0


def error_label(error: BaseException) -> str:
    """How an error is counted in the tables: its `label`, else its type's name."""
    return getattr(error, "label", None) or type(error).__name__


# Driving N threads for a fixed time.

def drive(run: Run, seconds: float, make_worker: WorkerFactory, stop: threading.Event,
          *, watch_pid: int | None = None) -> Run:
    """Each thread calls its worker with 0, 1, 2... until time is up; times each call.

    `watch_pid`: another process (a server) whose CPU share is reported too.
    """
    workers = [make_worker(t) for t in range(run.threads)]
    barrier = threading.Barrier(run.threads + 1)
    lock = threading.Lock()

    def loop(work: Worker) -> None:
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
                    run.errors[error_label(error)] += 1
            i += 1
        with lock:
            run.latencies += local
            run.moved += moved

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    host0, cpu0, start = host_ticks(), time.process_time(), time.perf_counter()
    server0 = process_seconds(watch_pid) if watch_pid else None
    deadline = start + seconds
    try:
        barrier.wait()
        for thread in threads:
            while thread.is_alive():  # short joins, so Ctrl-C reaches the main thread
                thread.join(0.2)
    except BaseException:
        stop.set()  # the workers finish their operation before the databases go
        barrier.abort()
        for thread in threads:
            thread.join(10)
        close_all(workers)
        raise
    run.seconds = time.perf_counter() - start
    run.py_cpu = (time.process_time() - cpu0) / run.seconds
    busy, total = (b - a for b, a in zip(host_ticks(), host0))
    run.host_cpu = busy / total if total else 0.0
    if watch_pid and server0 is not None:
        run.server_cpu = (process_seconds(watch_pid) - server0) / run.seconds
    run.ops = len(run.latencies)
    close_all(workers)
    return run


def close_all(workers: Sequence[Worker]) -> None:
    for work in workers:
        getattr(work, "close", lambda: None)()


def host_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The baseline: one INSERT per commit, no library.

def postgres_raw_worker(url: str, label: str) -> WorkerFactory:
    def make(thread: int) -> Worker:
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


def sqlite_raw_worker(path: Path, label: str) -> WorkerFactory:
    def make(thread: int) -> Worker:
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


def raw_runs(backend: str, raw: str | Path, threads: Sequence[int], seconds: float,
             stop: threading.Event, label: str = "") -> list[Run]:
    """The raw INSERT baseline at each thread count, on a scratch place's raw table."""
    make = sqlite_raw_worker if backend == "sqlite" else postgres_raw_worker
    runs = []
    for n in threads:
        say(f"{backend}: raw INSERT, {n} thread(s)")
        runs.append(drive(Run(backend, RAW_PATH, n), seconds,
                          make(raw, f"{label}{backend}-{n}"), stop))  # type: ignore[arg-type]
    return runs


def raw_rates(runs: Sequence[Run]) -> dict[tuple[str, int], float]:
    """Raw INSERT commits/s by (backend, threads)."""
    return {(r.backend, r.threads): r.rate for r in runs if r.path == RAW_PATH}


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
def scratch_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="casino-ledger-bench-"))
    try:
        yield folder
    finally:
        with no_interrupts():
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch_sqlite() -> Iterator[tuple[str, Path]]:
    """(ledger database URL, raw table's file) in a temporary folder."""
    with scratch_folder() as folder:
        raw = folder / "raw.sqlite3"
        with sqlite3.connect(raw, isolation_level=None) as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # as the library sets on its file
            conn.execute(RAW_TABLE.format(serial="INTEGER PRIMARY KEY", decimal="TEXT",
                                          time="TEXT"))
        conn.close()
        yield f"sqlite:///{folder}/ledger.sqlite3", raw


@contextmanager
def scratch_postgres(server: str) -> Iterator[tuple[str, str]]:
    """(ledger database URL, raw connection URL) in a new database, dropped at the end."""
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


@contextmanager
def scratch(backend: str, server: str) -> Iterator[tuple[str, str | Path]]:
    """The scratch place of a backend: (ledger URL, raw table's place)."""
    if backend == "sqlite":
        with scratch_sqlite() as place:
            yield place
    else:
        with scratch_postgres(server) as place:
            yield place


# Describing the machine and the code.

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
    lines.append(load_line("before the run"))
    lines.append(f"Code: {revision()}")
    return lines


def load_line(when: str) -> str:
    load = os.getloadavg()[0]
    busy = " (other work is running: expect lower, noisier figures)" if load > 0.5 else ""
    return f"Load average {when}: {load:.2f}{busy}"


def revision() -> str:
    """The commit measured, and whether product code differed from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "domain", "projections",
                                "api"], cwd=REPO, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {head}" + (" + uncommitted product changes" if dirty.strip() else "")


# Printing.

def markdown(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table, one line per row."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def errors_cell(run: Run) -> str:
    return ", ".join(f"{k} {v}" for k, v in run.errors.items()) or "0"


def say(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def threads_list(text: str) -> list[int]:
    return [int(t) for t in text.split(",") if t.strip()]


def backends_list(text: str, parser: object) -> list[str]:
    backends = [b.strip() for b in text.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")  # type: ignore[attr-defined]
    return backends


def run_main(body: Callable[[threading.Event], None]) -> None:
    """Run a benchmark; Ctrl-C or SIGTERM stops the workers and cleans everything up."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up too
    try:
        body(stop)
    except KeyboardInterrupt:
        stop.set()
        print("interrupted: scratch databases removed", file=sys.stderr)
        sys.exit(130)
