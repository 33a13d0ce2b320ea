"""Audit benchmark: hash chain, export, offline and store verification, replay.

    .venv/bin/python bench/audit.py [--events 1000000] [--players 1000]
                                    [--backends postgres] [--replay/--no-replay]

For each backend, in a scratch place (a temporary SQLite file; a temporary
PostgreSQL database, dropped at the end):

0. Generating the log (not a product path): `--players` wallets, each opened
   and credited (DEPOSIT 0.01 USDT) until the log holds `--events` events,
   saved directly with `ledger.save` ten wallets at a time, 1,000 events per
   transaction (group commit would batch the same way; commands add a Request
   record per credit, which the benchmark does not need).
1. The audit chain follower catching up from zero (events/s hashed and stored).
2. A full export (JSON lines) written to a file: events/s, and the peak Python
   memory of the export (tracemalloc, a second run) next to the same for a
   tenth of the log, to show it does not grow with the size.
3. A one-player export (the player filter reads the whole range).
4. Offline verification of the full export file (domain/audit/export_verify.py).
5. `audit verify` (re-walk and re-hash the store, compare with the chain).
6. The raw PostgreSQL baseline on the same rows in the same run:
   `COPY (SELECT ... FROM events ORDER BY notification_id) TO STDOUT` and a
   server-side-cursor `SELECT` of the same columns (rows/s).
7. With `--replay`, the live views are caught up (timed) and the other audit
   helper's verified replay (projections/audit/replay.py) rebuilds every view from
   zero in a scratch schema and compares it (events/s).

Not a test. Everything it creates is removed at the end, on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from api.bootstrap import Services, bootstrap  # noqa: E402
from api.config.settings import Settings  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_POSTGRES,
    backends_list,
    load_line,
    machine,
    markdown,
    run_main,
    say,
)
from bench.scratch import (  # noqa: E402
    scratch,
    scratch_folder,
)
from domain.audit.export_verify import verify_export  # noqa: E402
from domain.wallet.model import Wallet  # noqa: E402
from projections.audit.export import Selection, export  # noqa: E402
from projections.audit.verify import verify_store  # noqa: E402
from projections.engine.database import timestamp  # noqa: E402

PER_SAVE = 1000
GROUP = 10
Row = tuple[str, str, str, str]


def generate(services: Services, events: int, players: int) -> None:
    per_player = max(1, events // players - 1)
    for first in range(0, players, GROUP):
        wallets = [Wallet(player_id=f"p{n}", currency="USDT", request_id="open",
                          reference="") for n in range(first, min(first + GROUP, players))]
        done = 0
        while done < per_player:
            step = min(PER_SAVE // len(wallets), per_player - done)
            for wallet in wallets:
                for i in range(done, done + step):
                    wallet.credit(Decimal("0.01"), balance="cash", tag="DEPOSIT",
                                  request_id=f"d-{i}", reference=f"tx:{i}")
            services.ledger.save(*wallets)
            done += step


def timed(label: str, count: int, action: Any) -> tuple[str, int, float]:
    say(label)
    started = time.perf_counter()
    action()
    return label, count, time.perf_counter() - started


def write_export(services: Services, path: Path, selection: Selection) -> None:
    _, chunks = export(services.ledger, services.projections, services.audit_signer,
                       selection, "jsonl", "bench", "regulator")
    with path.open("w", encoding="utf-8") as file:
        for chunk in chunks:
            file.write(chunk)


def player_export(services: Services, path: Path) -> tuple[str, int, float]:
    """A one-player export; its rate counts that player's events."""
    label, _, seconds = timed("export, one player (p7)", 0,
                              lambda: write_export(services, path, Selection(player_id="p7")))
    with path.open(encoding="utf-8") as file:
        return label, sum(1 for _ in file) - 1, seconds


def export_peak(services: Services, path: Path, until: int | None) -> int:
    """Peak traced memory of a full export, optionally of the first `until` events."""
    selection = Selection()
    if until:
        stamp = timestamp(services.audit_chain.rows(until - 1, until, 1)[0]["at"])
        selection = Selection(end=stamp + timedelta(microseconds=1))
    tracemalloc.start()
    try:
        write_export(services, path, selection)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def raw_baseline(services: Services, raw: Any) -> list[tuple[str, int, float]]:
    recorder: Any = services.ledger.recorder
    table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
    columns = "notification_id, originator_id, originator_version, topic, state"
    count = services.ledger.head()
    with psycopg.connect(str(raw)) as conn:
        def copy() -> None:
            with conn.cursor().copy(f"COPY (SELECT {columns} FROM {table} ORDER BY "
                                    "notification_id) TO STDOUT") as stream:
                for _ in stream:
                    pass

        def select() -> None:
            with conn.cursor(name="bench") as cursor:
                cursor.itersize = 10000
                cursor.execute(f"SELECT {columns} FROM {table} ORDER BY notification_id")
                for _ in cursor:
                    pass
        return [timed("raw PostgreSQL COPY ... TO STDOUT", count, copy),
                timed("raw PostgreSQL SELECT (server-side cursor)", count, select)]


def measure(backend: str, url: str, raw: Any, args: argparse.Namespace,
            folder: Path) -> list[str]:
    services = bootstrap(Settings(database_url=url, secret="bench-" + "0" * 40,
                                  audit_signing_key="44" * 32))
    try:
        return run_steps(backend, services, raw, args, folder)
    finally:
        services.close()


def run_steps(backend: str, services: Services, raw: Any, args: argparse.Namespace,
              folder: Path) -> list[str]:
    gen = timed(f"{backend}: generating {args.events} events", 0,
                lambda: generate(services, args.events, args.players))
    count = services.ledger.head()
    full = folder / f"{backend}-full.jsonl"
    keys = {services.audit_signer.key_id: services.audit_signer.public}
    steps = [(gen[0], count, gen[2]),
             timed("audit chain follower, from zero", count,
                   lambda: services.projections.catch_up(["audit_chain"])),
             timed("export, all events (JSON lines to a file)", count,
                   lambda: write_export(services, full, Selection())),
             player_export(services, folder / "p7.jsonl"),
             timed("verify-export (offline) of the full file", count,
                   lambda: verify_export(full, services.audit_signer.public)),
             timed("audit verify (re-walk and re-hash the store)", count,
                   lambda: verify_store(services.ledger, services.audit_chain, keys))]
    if backend == "postgres":
        steps += raw_baseline(services, raw)
    if args.replay:
        steps += replay_steps(services, count)
    size = full.stat().st_size
    peaks = [(n, export_peak(services, folder / "peak.jsonl", n or None))
             for n in (count // 10, 0)]
    return report(backend, steps, peaks, size, count)


def replay_steps(services: Services, count: int) -> list[tuple[str, int, float]]:
    from projections.audit.replay import replay

    steps = [timed("live views catching up (all views, from zero)", count,
                   lambda: services.projections.catch_up())]
    verdict: dict[str, Any] = {}
    steps.append(timed("verified replay (every view, scratch schema, compared)", count,
                       lambda: verdict.update(report=replay(services.projections))))
    say(f"replay verdict: {verdict['report'].verdict}")
    return steps


def report(backend: str, steps: list[tuple[str, int, float]], peaks: list[tuple[int, int]],
           size: int, count: int) -> list[str]:
    rows = [(label, f"{n:,}" if n else "", f"{seconds:.1f}",
             f"{n / seconds:,.0f}" if n and seconds else "") for label, n, seconds in steps]
    lines = [f"### {backend}: {count:,} events", ""]
    lines += markdown(["step", "events", "seconds", "events/s"], rows)
    lines += ["", f"Full export file: {size / 1e6:,.0f} MB "
                  f"({size / max(count, 1):,.0f} bytes per event)."]
    lines += [f"Peak Python memory of an export (tracemalloc): "
              f"{peak / 1e6:.1f} MB for {n or count:,} events" for n, peak in peaks]
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--backends", default="postgres")
    parser.add_argument("--replay", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--postgres", default=os.environ.get("CASINO_LEDGER_BENCH_POSTGRES",
                                                             DEFAULT_POSTGRES))
    args = parser.parse_args()
    backends = backends_list(args.backends, parser)

    def body(stop: threading.Event) -> None:
        lines = ["## Audit (bench/audit.py)", "", *machine(args.postgres), "",
                 f"Command: `python bench/audit.py --events {args.events} --players "
                 f"{args.players} --backends {args.backends}`", ""]
        for backend in backends:
            with scratch(backend, args.postgres) as (url, raw), scratch_folder() as folder:
                lines += measure(backend, url, raw, args, folder)
        lines.append(load_line("after the run"))
        print("\n".join(lines))

    run_main(body)


if __name__ == "__main__":
    main()
