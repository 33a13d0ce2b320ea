"""The peer ledger, run beside casino-ledger in every money benchmark: pgledger.

pgledger (github.com/pgr0ss/pgledger; MIT licence, copyright 2025 Paul Gross;
the licence is in its folder) is a double-entry ledger written as PostgreSQL
functions. Nothing of it is copied into this project and the product never
imports this module: its SQL is read at run time from the peers folder beside
the repository (`<repo>/../shared/peers/pgledger`, or
`$CASINO_LEDGER_PEERS_DIR/pgledger`) and run with psycopg (no psql) into the
benchmark's scratch PostgreSQL database, in a schema of its own (`pgledger`),
which goes with the database at the end.

It is driven as its own performance check drives it: `--peer-accounts`
accounts (default 50) in one currency, and `--peer-threads` worker threads
(default 20), each with its own autocommit connection, calling
`pgledger_create_transfer(from, to, amount)` between random distinct accounts
for the run's length, timed by `drive` like every other row. Its books are
checked afterwards: one transfer and two entries per call timed, balances
summing to zero; a mismatch shows in the row's errors.

Every benchmark prints its rates also as a ratio to pgledger's transfers/s
(column `x pgledger`): `peer_runs` after the raw baseline, `peer_rate`,
`times_peer`, `peer_line` and `books_ok` when printing.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from threading import Event

import psycopg

from bench.common import CURRENCY, REPO, Run, Worker, WorkerFactory, drive, say

PEERS_ENV = "CASINO_LEDGER_PEERS_DIR"
PEER_PATH = "pgledger transfer"
PEER_COLUMN = "x pgledger"
SCHEMA = "pgledger"
SQL_FILES = ("vendor/ulid-to-uuid.sql", "vendor/uuid-to-ulid.sql", "pgledger.sql")
TRANSFER = "SELECT id FROM pgledger_create_transfer(%s, %s, %s)"


# Where pgledger is (read at run time, never copied).

def pgledger_dir() -> Path:
    """pgledger's folder: $CASINO_LEDGER_PEERS_DIR/pgledger, else <repo>/../shared/peers/
    pgledger. Raises FileNotFoundError, saying where it looked, if a SQL file is missing."""
    peers = os.environ.get(PEERS_ENV)
    folder = (Path(peers) if peers else REPO.parent / "shared" / "peers") / "pgledger"
    missing = [name for name in SQL_FILES if not (folder / name).is_file()]
    if missing:
        origin = f"${PEERS_ENV}" if peers else "the repository's ../shared/peers"
        raise FileNotFoundError(
            f"pgledger not found: {folder.resolve()} (from {origin}) lacks "
            f"{', '.join(missing)}. Point {PEERS_ENV} at the folder that holds "
            "pgledger/ (see shared/peers/README.md), or run with --no-peer.")
    return folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peer-threads", type=int, default=20,
                        help="pgledger worker threads, one connection each (default 20)")
    parser.add_argument("--peer-accounts", type=int, default=50,
                        help="pgledger accounts the transfers go between (default 50)")
    parser.add_argument("--no-peer", dest="peer", action="store_false",
                        help="leave pgledger out (no 'x pgledger' ratios)")


def check_arguments(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Find pgledger before anything runs (only PostgreSQL runs it); sets args.peer_dir."""
    args.peer_dir = None
    if not args.peer or "postgres" not in args.backends:
        return
    if args.peer_threads < 1 or args.peer_accounts < 2:
        parser.error("--peer-threads must be at least 1 and --peer-accounts at least 2")
    try:
        args.peer_dir = pgledger_dir()
    except FileNotFoundError as missing:
        parser.error(str(missing))


# Installing and driving it.

def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True, options=f"-c search_path={SCHEMA}")


def install(url: str, folder: Path, accounts: int) -> list[str]:
    """pgledger's three SQL files into schema `pgledger` of the database at `url`,
    then `accounts` accounts in one currency; their ids."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    with connect(url) as conn:
        for name in SQL_FILES:
            conn.execute((folder / name).read_text())  # type: ignore[arg-type]
        return [conn.execute("SELECT id FROM pgledger_create_account(%s, %s)",
                             (f"bench-{n}", CURRENCY)).fetchone()[0]  # type: ignore[index]
                for n in range(accounts)]


def transfer_worker(url: str, accounts: Sequence[str], label: str) -> WorkerFactory:
    def make(thread: int) -> Worker:
        conn = connect(url)
        rng = random.Random(f"pgledger-{label}-{thread}")

        def work(i: int) -> Decimal:
            source, target = rng.sample(accounts, 2)
            amount = Decimal(rng.randint(1, 1_000_000)).scaleb(-4)  # 0.0001 .. 100
            conn.execute(TRANSFER, (source, target, amount)).fetchone()
            return amount
        work.close = conn.close  # type: ignore[attr-defined]
        return work
    return make


def check_books(url: str, run: Run) -> None:
    """Count in the run's errors anything pgledger's tables disagree with the run on."""
    with connect(url) as conn:
        transfers, moved = conn.execute(
            "SELECT count(*), coalesce(sum(amount), 0) FROM pgledger_transfers").fetchone()
        entries, = conn.execute("SELECT count(*) FROM pgledger_entries").fetchone()
        total, = conn.execute("SELECT coalesce(sum(balance), 0) FROM pgledger_accounts"
                              ).fetchone()
    if transfers != run.ops or moved != run.moved:
        run.errors[f"books: {transfers} transfers of {moved} for {run.ops} calls"] += 1
    if entries != 2 * transfers:
        run.errors[f"books: {entries} entries for {transfers} transfers"] += 1
    if total != 0:
        run.errors[f"books: balances sum to {total}"] += 1


def books_ok(runs: Sequence[Run]) -> bool:
    """Whether pgledger's books agreed with its runs (True if it did not run)."""
    return not any(label.startswith("books:") for r in runs if r.path == PEER_PATH
                   for label in r.errors)


def peer_runs(backend: str, raw: object, args: argparse.Namespace, stop: Event) -> list[Run]:
    """pgledger's run in this backend's scratch database (`raw`: its connection URL,
    as bench/scratch.py gives it); none on SQLite or with --no-peer."""
    if backend != "postgres" or args.peer_dir is None:
        return []
    url = str(raw)
    say(f"{backend}: pgledger from {args.peer_dir}, {args.peer_accounts} accounts")
    accounts = install(url, args.peer_dir, args.peer_accounts)
    say(f"{backend}: pgledger_create_transfer, {args.peer_threads} thread(s)")
    run = drive(Run(backend, PEER_PATH, args.peer_threads), args.seconds,
                transfer_worker(url, accounts, backend), stop)
    check_books(url, run)
    return [run]


# Printing.

def peer_rate(runs: Sequence[Run]) -> float | None:
    """pgledger's transfers/s in this run (the first PostgreSQL run), if it ran."""
    return next((r.rate for r in runs if r.path == PEER_PATH and r.rate), None)


def times_peer(rate: float | None, peer: float | None) -> str:
    """A rate as a multiple of pgledger's transfers/s, for the `x pgledger` column."""
    if rate is None or not peer:
        return "-"
    ratio = rate / peer
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"


def peer_line(runs: Sequence[Run], args: argparse.Namespace) -> str:
    """What the `x pgledger` column is, with the figure it divides by."""
    peer = next((r for r in runs if r.path == PEER_PATH), None)
    if peer is None:
        return (f"'{PEER_COLUMN}': not measured (pgledger runs only on PostgreSQL, "
                "and not with --no-peer).")
    return (f"'{PEER_COLUMN}' = the row's rate / pgledger's transfers/s on PostgreSQL in "
            f"this run ({peer.rate:,.0f}/s: pgledger_create_transfer between random "
            f"distinct accounts of {args.peer_accounts}, {peer.threads} threads, one "
            "autocommit connection each; SQLite rows are divided by the same figure).")
