"""What the benchmarks share: timed runs over N threads, the machine description,
Markdown tables and the command line.

Used by every script in bench/; not a benchmark itself and not a test. The
scratch databases and the raw INSERT baseline are in bench/scratch.py, the peer
ledger (pgledger) in bench/peers.py. `run_main` turns SIGTERM into
KeyboardInterrupt, so Ctrl-C and SIGTERM both clean up.
"""

from __future__ import annotations

import os
import platform
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CURRENCY = "USDT"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

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
    """User + system CPU seconds of a process and its descendants (a server's
    worker processes), all their threads, from /proc."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # (ppid, utime + stime) of every process
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # it has just exited
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, ticks, todo = {pid}, 0, [pid]
    while todo:
        parent = todo.pop()
        ticks += stats.get(parent, (0, 0))[1]
        children = [p for p, (ppid, _) in stats.items() if ppid == parent and p not in tree]
        tree.update(children)
        todo += children
    return ticks / os.sysconf("SC_CLK_TCK")


# Cleanups that Ctrl-C cannot cut short.

@contextmanager
def no_interrupts() -> Iterator[None]:
    """Hold off Ctrl-C while a cleanup runs, so a second one cannot skip it."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
