"""Rakeback benchmark: the accrual follower's catch-up rate and INSTANT claims per second.

    .venv/bin/python bench/rakeback.py [--seconds N] [--threads 1,8] [--players N]
                                       [--backends sqlite,postgres]
                                       [--peer-threads 20] [--peer-accounts 50] [--no-peer]

For each backend, in a scratch place (a temporary SQLite file; a temporary
PostgreSQL database, dropped at the end), through the domain layer
(`services.ledger.execute`, the ledger as `bootstrap` builds it, group commit
included), not timed: one game (RTP 96), then for each of N players an
adjustment of 1,000 USDT, `SetVipLevel` to Gold, and one bet of 10.00-100.00
USDT settled as a LOSS. No projection runs meanwhile, so the settlements are a
fresh backlog for the accrual follower. Then, timed:

1. the accrual catch-up: the other views are first caught up over the backlog
   (timed apart, "views before"); then `catch_up(["rakeback_accrual"])`, the
   follower alone, running `AccrueRakeback` for each settled bet (settled bets
   accrued per second); then the other views over what it appended ("views
   after"). "catch_up() total" is the three together: the whole catch-up.
2. `ClaimRakeback` of the INSTANT bucket, one per player (each player's bucket
   is claimable once), from 1 and 8 threads taking players from one shared
   queue, so no two threads claim for the same player. Each run has its own
   slice of the players and ends when the slice is done or time is up.
3. the raw INSERT baseline of bench/scratch.py, same thread counts; "vs raw" is
   the ledger's commands/s over raw commits/s at the same thread count (the
   follower runs on one thread);
4. on PostgreSQL, the peer ledger pgledger in the same database
   (bench/peers.py), for `--seconds`; "x pgledger" is every rate over its
   transfers/s.

Checks at the end (projections caught up): the journal's trial balance is zero
in every currency; every player's RAKEBACK credits (ledger entries) equal what
their claims paid, and every claim paid exactly the INSTANT part its player
accrued. Everything it created is removed at the end, on Ctrl-C too. Loopback
only. Not a test.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import Services, bootstrap  # noqa: E402
from api.config.settings import Settings  # noqa: E402
from bench.bets import in_parallel  # noqa: E402
from bench import peers  # noqa: E402
from bench.common import (  # noqa: E402
    CURRENCY,
    DEFAULT_POSTGRES,
    Run,
    WorkerFactory,
    backends_list,
    drive,
    errors_cell,
    load_line,
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
from domain.betting.commands import BetOutcome, PlaceBet, SettleRound  # noqa: E402
from domain.betting.games import ConfigureGame  # noqa: E402
from domain.kernel.money import ZERO  # noqa: E402
from domain.players.commands import SetVipLevel  # noqa: E402
from domain.rakeback.commands import ClaimRakeback  # noqa: E402

SECRET = "bench-signing-key-" + "0" * 32
PROVIDER = "bench-provider"
GAME = "bench-slots"
LEVEL = "Gold"
OPENING = Decimal("1000.000000")
ACCRUAL = "rakeback_accrual"
CLAIM = "claim INSTANT"


class Exhausted(Exception):
    """The run's players are all claimed: the run ends (not an error)."""


# Setup (not measured).

def setup(services: Services, players: Sequence[str], seed: str) -> None:
    services.ledger.execute(ConfigureGame(
        game_id=GAME, rtp=Decimal("96"), category="slots", provider="Originals",
        house_game=True, actor="bench"))

    def prepare(player: str) -> None:
        ledger = services.ledger
        ledger.execute(Adjust(
            request_id=f"fund-{player}", player_id=player, currency=CURRENCY,
            amount=OPENING, balance="cash", reason="benchmark funding", actor="bench"))
        ledger.execute(SetVipLevel(player_id=player, level=LEVEL, actor="bench",
                                   reason="benchmark"))
        stake = Decimal(random.Random(f"{seed}-{player}").randint(1000, 10000)).scaleb(-2)  # 10.00 .. 100.00
        round_id = f"{seed}-{player}"
        placed = ledger.execute(PlaceBet(
            request_id=f"{round_id}-bet", provider=PROVIDER, player_id=player,
            game_id=GAME, round_id=round_id, currency=CURRENCY, stake=stake))
        ledger.execute(SettleRound(
            request_id=f"{round_id}-settle", provider=PROVIDER, round_id=round_id,
            bets=(BetOutcome(placed.result.bet_id, "LOSS", Decimal(0)),)))

    in_parallel(prepare, players)


def timed_catch_up(services: Services, names: Sequence[str] | None) -> float:
    began = time.perf_counter()
    services.projections.catch_up(names)
    return time.perf_counter() - began


# The claim path.

def claim_worker(services: Services, label: str, queue: collections.deque[str],
                 done: threading.Event, paid: dict[str, Decimal]) -> WorkerFactory:
    def make(thread: int) -> Any:
        def work(i: int) -> Decimal:
            try:
                player = queue.popleft()
            except IndexError:
                done.set()
                raise Exhausted from None
            outcome = services.ledger.execute(ClaimRakeback(
                request_id=f"{label}-{player}", player_id=player, bucket="INSTANT",
                double=False, client_seed="bench"))
            payout = sum((c.payout for c in outcome.result.claims), ZERO)
            paid[player] = paid.get(player, ZERO) + payout
            return payout
        return work
    return make


# One backend, start to finish.

def bench_backend(backend: str, args: argparse.Namespace, stop: threading.Event,
                  ) -> tuple[list[Run], dict[str, Any], dict[str, Any]]:
    with scratch(backend, args.postgres) as (url, raw):
        services = bootstrap(Settings(database_url=url, secret=SECRET, config=None))
        try:
            players = [f"p{n}" for n in range(args.players)]
            say(f"{backend}: {len(players)} Gold players with one settled losing bet each")
            began = time.perf_counter()
            setup(services, players, backend)
            setup_s = time.perf_counter() - began

            say(f"{backend}: accrual catch-up over the backlog")
            others = [n for n in services.projections.views if n != ACCRUAL]
            head0 = services.ledger.head()
            before = timed_catch_up(services, others)
            alone = timed_catch_up(services, [ACCRUAL])
            appended = services.ledger.head() - head0
            after = timed_catch_up(services, None)
            accrual = {"bets": len(players), "before": before, "alone": alone,
                       "after": after, "events": appended, "setup": setup_s}
            accrued = {row["player_id"]: row for row in rakeback_rows(services)}

            runs, paid = [], {}
            parts = [players[k::len(args.threads)] for k in range(len(args.threads))]
            for n, part in zip(args.threads, parts):
                say(f"{backend}: ClaimRakeback INSTANT, {n} thread(s), {len(part)} players")
                done = threading.Event()
                head = services.ledger.head()
                run = drive(Run(backend, CLAIM, n), args.seconds,
                            claim_worker(services, f"{backend}-claim-{n}",
                                         collections.deque(part), done, paid),
                            done)
                stop_if(stop)
                run.errors.pop("Exhausted", None)
                run.events = services.ledger.head() - head
                runs.append(run)

            say(f"{backend}: checks")
            services.projections.catch_up()
            checks = check(services, accrued, paid)
        finally:
            services.close()
        runs += raw_runs(backend, raw, args.threads, args.seconds, stop)
        runs += peers.peer_runs(backend, raw, args, stop)
        return runs, accrual | {"backend": backend}, checks | {"backend": backend}


def stop_if(stop: threading.Event) -> None:
    if stop.is_set():
        raise KeyboardInterrupt


def rakeback_rows(services: Services) -> list[Any]:
    with services.rakeback.db.transaction(commit=False) as cursor:
        return [dict(r) for r in cursor.execute(
            "SELECT * FROM {s}rakeback_accounts").fetchall()]


def check(services: Services, accrued: dict[str, Any], paid: dict[str, Decimal],
          ) -> dict[str, Any]:
    trial = services.journal.trial_balance()
    with services.ledger_entries.db.transaction(commit=False) as cursor:
        rows = cursor.execute("SELECT player_id, amount FROM {s}ledger_entries "
                              "WHERE entry_type = 'RAKEBACK'").fetchall()
    credits: dict[str, Decimal] = {}
    for row in rows:
        credits[row["player_id"]] = credits.get(row["player_id"], ZERO) + Decimal(
            str(row["amount"]))
    instant = {p: Decimal(str(r["instant_claimable"])) for p, r in accrued.items()}
    return {
        "trial": trial,
        "trial_zero": bool(trial) and all(v == 0 for v in trial.values()),
        "claimed": len(paid),
        "paid": sum(paid.values(), ZERO),
        "credits_match": credits == {p: v for p, v in paid.items() if v},
        "instant_match": (all(paid[p] == instant.get(p) for p in paid)
                          if instant else None),
    }


# Printing.

def table(runs: Sequence[Run], accruals: Sequence[dict[str, Any]]) -> list[str]:
    raw, peer = raw_rates(runs), peers.peer_rate(runs)
    rows = []
    for a in accruals:
        b = a["backend"]
        for label, seconds in (("accrual follower alone", a["alone"]),
                               ("views before (bets backlog)", a["before"]),
                               ("views after (accrual's events)", a["after"]),
                               ("catch_up() total", a["before"] + a["alone"] + a["after"])):
            rate = a["bets"] / seconds
            ratio = (f"{rate / raw[b, 1]:.3f}" if label.startswith("accrual")
                     and raw.get((b, 1)) else "-")
            events = f"{a['events'] / seconds:,.0f}" if label.startswith("accrual") else "-"
            rows.append((b, label, 1, f"{a['bets']:,}", f"{seconds:.2f}",
                         f"{rate:,.0f} bets/s", peers.times_peer(rate, peer), events, "-", "-",
                         ratio, "-", "0"))
        for r in runs:
            if r.backend != b:
                continue
            ledger = r.path == CLAIM
            ratio = (f"{r.rate / raw[b, r.threads]:.3f}"
                     if ledger and raw.get((b, r.threads)) else "-")
            unit = {CLAIM: "claims", RAW_PATH: "commits"}.get(r.path, "transfers")
            rows.append((b, r.path, r.threads, f"{r.ops:,}", f"{r.seconds:.2f}",
                         f"{r.rate:,.0f} {unit}/s", peers.times_peer(r.rate, peer),
                         f"{r.events / r.seconds:,.0f}" if r.events else "-",
                         f"{r.percentile(0.5):.2f}", f"{r.percentile(0.99):.2f}",
                         ratio, f"{r.py_cpu:.0%}", errors_cell(r)))
    return markdown(("backend", "what", "threads", "done", "seconds", "rate",
                     peers.PEER_COLUMN, "events/s", "p50 ms", "p99 ms", "vs raw", "bench CPU",
                     "errors"), rows)


def checks_table(checks: Sequence[dict[str, Any]]) -> list[str]:
    cells = []
    for c in checks:
        trial = ", ".join(f"{k} {v}" for k, v in sorted(c["trial"].items())) or "none"
        instant = {True: "yes", False: "NO", None: "not checked"}[c["instant_match"]]
        cells.append((c["backend"], f"{c['claimed']:,}", c["paid"],
                      "yes" if c["credits_match"] else "NO", instant, trial,
                      "yes" if c["trial_zero"] else "NO"))
    return markdown(("backend", "players claimed", "paid USDT",
                     "RAKEBACK credits = claims, per player",
                     "claim = accrued INSTANT, per player", "trial balance", "zero"), cells)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0,
                        help="cap on each claim run and length of each raw run (default 4)")
    parser.add_argument("--threads", default="1,8", help="thread counts (default 1,8)")
    parser.add_argument("--players", type=int, default=1000,
                        help="Gold players, one settled bet each; split between the "
                             "claim runs (default 1000)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="a server connection for creating the scratch database")
    peers.add_arguments(parser)
    args = parser.parse_args(argv)
    args.threads = threads_list(args.threads)
    args.backends = backends_list(args.backends, parser)
    peers.check_arguments(args, parser)
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    if args.players < sum(args.threads):
        parser.error("--players must be at least the sum of the thread counts")
    return args


def measure(args: argparse.Namespace, argv: list[str] | None, stop: threading.Event) -> None:
    began = time.perf_counter()
    header = machine(args.postgres if "postgres" in args.backends else None)
    runs, accruals, checks = [], [], []
    for backend in args.backends:
        done, accrual, checked = bench_backend(backend, args, stop)
        runs += done
        accruals.append(accrual)
        checks.append(checked)
    command = " ".join(["bench/rakeback.py", *(argv if argv is not None else sys.argv[1:])])
    setup = ", ".join(f"{a['backend']} {a['setup']:.0f} s" for a in accruals)
    ok = peers.books_ok(runs) and all(
        c["trial_zero"] and c["credits_match"] and c["instant_match"] is not False
        for c in checks)
    print("\n".join([
        f"casino-ledger rakeback benchmark: {command}", "", *header,
        load_line("after the run"), f"Wall time: {time.perf_counter() - began:.0f} s "
        f"(setup, not timed: {setup})", "",
        f"{args.players} Gold players per backend, one settled losing bet each (RTP 96). "
        "Accrual rows: settled bets accrued per second by catch_up() over that backlog, "
        "one thread. Claim rows: ClaimRakeback INSTANT, one per player, the players split "
        f"between the runs; each run ends when its players are done or after "
        f"{args.seconds:g} s. 'vs raw' = ledger commands/s / raw commits/s (1 thread for "
        "the follower). " + peers.peer_line(runs, args), "", *table(runs, accruals), "",
        "Checks (projections caught up):", "", *checks_table(checks)]))
    if not ok:
        print("\nCHECKS FAILED", file=sys.stderr)
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_main(lambda stop: measure(args, argv, stop))


if __name__ == "__main__":
    main()
