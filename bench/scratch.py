"""Scratch places and the raw baseline: a temporary SQLite folder or PostgreSQL
database per run, removed on the way out whatever happens (Ctrl-C and SIGTERM
too), and the raw INSERT baseline (one row per commit, no library) in it.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from bench.common import CURRENCY, Run, Worker, WorkerFactory, drive, no_interrupts, say

RAW_PATH = "raw INSERT"
RAW_TABLE = ("CREATE TABLE bench_raw (id {serial}, player_id TEXT NOT NULL, "
             "currency TEXT NOT NULL, amount {decimal} NOT NULL, "
             "request_id TEXT NOT NULL UNIQUE, created_at {time} NOT NULL)")


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
