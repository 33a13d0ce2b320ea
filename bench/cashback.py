"""Cashback benchmark: the tally follower's catch-up and the period job crediting N players.

    .venv/bin/python bench/cashback.py [--players N] [--seconds S]
                                       [--backends sqlite,postgres]
                                       [--peer-threads 20] [--peer-accounts 50] [--no-peer]

For each backend, in a scratch place (a temporary SQLite file; a temporary
PostgreSQL database, dropped at the end), through the domain layer (the
ledger as `bootstrap` builds it, group commit included), not timed: one game
(RTP 96); the ledger's clock frozen inside ISO week 2026-W03; for each of N
players an adjustment of 10,000 USDT, a VIP level (Silver, Gold or Platinum
in turn, so the credits go to bonus under a grant or straight to cash), and
two bets of 10.00-100.00 USDT, one lost and one won back at half its stake.
No projection runs meanwhile. Then, timed:

1. the cashback follower alone (`catch_up(["cashback_plays"])`) over the
   settled bets: bets counted per second;
2. the weekly job (`job_runner.run("cashback-vip", 2026-W03)`, clock moved to
   the next Monday): it catches up the tally index, then calculates and
   credits every player (two commands each, 16 lanes sharing group-commit
   transactions): players per second;
3. the same job again (a re-run: nothing new) and the raw INSERT baseline of
   bench/scratch.py (1 thread); "vs raw" = players/s over raw commits/s;
4. on PostgreSQL, the peer ledger pgledger in the same database
   (bench/peers.py), for `--seconds`; "x pgledger" is every rate over its
   transfers/s.

Checks (projections caught up): every player is credited once, with
`net loss x percent / 100` of their tier; the CASHBACK ledger entries sum to
what the job paid; the re-run appended only its run record; the journal's
trial balance is zero. Loopback only. Not a test.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from datetime import datetime, timezone
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
    backends_list,
    load_line,
    machine,
    markdown,
    run_main,
    say,
)
from bench.scratch import (  # noqa: E402
    raw_rates,
    raw_runs,
    scratch,
)
from domain.wallet.commands import Adjust  # noqa: E402
from domain.betting.commands import BetOutcome, PlaceBet, SettleRound  # noqa: E402
from domain.kernel.clock import clock  # noqa: E402
from domain.betting.games import ConfigureGame  # noqa: E402
from domain.kernel.money import ZERO  # noqa: E402
from domain.players.commands import SetVipLevel  # noqa: E402
from domain.kernel.periods import Period  # noqa: E402

SECRET = "bench-signing-key-" + "0" * 32
PROVIDER, GAME = "bench-provider", "bench-slots"
LEVELS = {"Silver": Decimal(10), "Gold": Decimal(15), "Platinum": Decimal(20)}
WEEK = Period.parse("2026-W03")


def setup(services: Services, players: list[str], seed: str) -> dict[str, Decimal]:
    """Each player's expected cashback (their net loss at their tier's percent)."""
    services.ledger.execute(ConfigureGame(
        game_id=GAME, rtp=Decimal("96"), category="slots", provider="Originals",
        house_game=True, actor="bench"))
    expected: dict[str, Decimal] = {}

    def prepare(player: str) -> None:
        ledger = services.ledger
        level = list(LEVELS)[int(player[1:]) % len(LEVELS)]
        ledger.execute(Adjust(f"fund-{player}", player, CURRENCY, Decimal(10000), "cash",
                              "benchmark funding", "bench"))
        ledger.execute(SetVipLevel(player, level, "bench", "benchmark"))
        stake = Decimal(random.Random(f"{seed}-{player}").randint(1000, 10000)).scaleb(-2)
        for n, (outcome, payout) in enumerate((("LOSS", ZERO), ("WIN", stake / 2))):
            round_id = f"{seed}-{player}-{n}"
            placed = ledger.execute(PlaceBet(f"{round_id}-bet", PROVIDER, player, GAME,
                                             round_id, CURRENCY, stake))
            ledger.execute(SettleRound(f"{round_id}-settle", PROVIDER, round_id, (
                BetOutcome(placed.result.bet_id, outcome, payout),)))
        # Net loss 1.5 x stake, under every tier's cap at these stakes.
        expected[player] = (stake * 3 / 2 * LEVELS[level] / 100).quantize(Decimal("1E-6"))

    in_parallel(prepare, players)
    return expected


def timed(call: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call()
    return time.perf_counter() - began, result


def bench_backend(backend: str, args: argparse.Namespace, stop: threading.Event,
                  ) -> tuple[dict[str, Any], list[Any]]:
    with scratch(backend, args.postgres) as (url, raw):
        services = bootstrap(Settings(database_url=url, secret=SECRET, config=None))
        try:
            players = [f"p{n}" for n in range(args.players)]
            clock.freeze(datetime(2026, 1, 14, 12, tzinfo=timezone.utc))
            say(f"{backend}: {len(players)} players, two settled bets each")
            setup_s, expected = timed(lambda: setup(services, players, backend))
            others = [n for n in services.projections.views if n != "cashback_plays"]
            services.projections.catch_up(others)
            say(f"{backend}: the cashback follower over the backlog")
            follower_s, _ = timed(lambda: services.projections.catch_up(["cashback_plays"]))
            clock.freeze(datetime(2026, 1, 19, 0, 1, tzinfo=timezone.utc))
            say(f"{backend}: the weekly job")
            job_s, record = timed(lambda: services.job_runner.run("cashback-vip", WEEK))
            head = services.ledger.head()
            rerun_s, again = timed(lambda: services.job_runner.run("cashback-vip", WEEK))
            checks = check(services, expected, record, again, services.ledger.head() - head)
        finally:
            services.close()
            clock.resume()
        runs = raw_runs(backend, raw, [1], args.seconds, stop)
        runs += peers.peer_runs(backend, raw, args, stop)
        return {"backend": backend, "players": len(players), "setup": setup_s,
                "follower": follower_s, "job": job_s, "rerun": rerun_s,
                **checks}, runs


def check(services: Services, expected: dict[str, Decimal], record: dict[str, Any],
          again: dict[str, Any], rerun_events: int) -> dict[str, Any]:
    services.projections.catch_up()
    rows = services.cashback_log.rows(period=str(WEEK), limit=len(expected) + 1)
    paid = {r["playerId"]: r["amount"] for r in rows if r["status"] == "credited"}
    with services.ledger_entries.db.transaction(commit=False) as cursor:
        entries = cursor.execute("SELECT amount FROM {s}ledger_entries "
                                 "WHERE entry_type = 'CASHBACK'").fetchall()
    trial = services.journal.trial_balance()
    return {"paid": sum(paid.values(), ZERO),
            "amounts_match": paid == expected,
            "entries_match": sum((Decimal(str(e["amount"])) for e in entries), ZERO)
            == sum(paid.values(), ZERO),
            "rerun_quiet": again["summary"]["changed"] == 0 and rerun_events == 2,
            "credited": record["summary"]["credited"],
            "trial_zero": bool(trial) and all(v == 0 for v in trial.values())}


def table(results: list[dict[str, Any]], runs: list[Any]) -> list[str]:
    raw, peer = raw_rates(runs), peers.peer_rate(runs)
    rows = []
    for r in results:
        base = raw.get((r["backend"], 1))
        for label, seconds, unit in (("cashback follower (tallies)", r["follower"], "bets"),
                                     ("weekly job (calculate + credit)", r["job"],
                                      "players"),
                                     ("weekly job again (nothing new)", r["rerun"],
                                      "players")):
            count = r["players"] * (2 if unit == "bets" else 1)
            rate = count / seconds
            rows.append((r["backend"], label, f"{count:,}", f"{seconds:.2f}",
                         f"{rate:,.0f} {unit}/s", peers.times_peer(rate, peer),
                         f"{rate / base:.3f}" if base and unit == "players" else "-"))
    for run in runs:
        unit = "transfers" if run.path == peers.PEER_PATH else "commits"
        rows.append((run.backend, f"{run.path}, {run.threads} thread(s)", f"{run.ops:,}",
                     f"{run.seconds:.2f}", f"{run.rate:,.0f} {unit}/s",
                     peers.times_peer(run.rate, peer), "-"))
    return markdown(("backend", "what", "done", "seconds", "rate", peers.PEER_COLUMN,
                     "vs raw"), rows)


def checks_table(results: list[dict[str, Any]]) -> list[str]:
    yes = {True: "yes", False: "NO"}
    return markdown(("backend", "credited", "paid USDT", "amount = tier % of net loss",
                     "CASHBACK entries = paid", "re-run appended only its record",
                     "trial balance zero"),
                    [(r["backend"], r["credited"], r["paid"], yes[r["amounts_match"]],
                      yes[r["entries_match"]], yes[r["rerun_quiet"]], yes[r["trial_zero"]])
                     for r in results])


def measure(args: argparse.Namespace, argv: list[str] | None, stop: threading.Event) -> None:
    began = time.perf_counter()
    header = machine(args.postgres if "postgres" in args.backends else None)
    results, runs = [], []
    for backend in args.backends:
        result, raw = bench_backend(backend, args, stop)
        results.append(result)
        runs += raw
    command = " ".join(["bench/cashback.py", *(argv if argv is not None else sys.argv[1:])])
    ok = peers.books_ok(runs) and all(
        r["amounts_match"] and r["entries_match"] and r["rerun_quiet"] and r["trial_zero"]
        for r in results)
    setup = ", ".join(f"{r['backend']} {r['setup']:.0f} s" for r in results)
    print("\n".join([
        f"casino-ledger cashback benchmark: {command}", "", *header,
        load_line("after the run"), f"Wall time: {time.perf_counter() - began:.0f} s "
        f"(setup, not timed: {setup})", "",
        f"{args.players} players per backend (Silver, Gold, Platinum in turn), one lost "
        "and one half-won bet each in 2026-W03. 'vs raw' = players credited per second "
        "over raw INSERT commits per second (1 thread). " + peers.peer_line(runs, args), "",
        *table(results, runs), "",
        "Checks (projections caught up):", "", *checks_table(results)]))
    if not ok:
        print("\nCHECKS FAILED", file=sys.stderr)
        sys.exit(1)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=4.0,
                        help="length of the raw baseline run (default 4)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="a server connection for creating the scratch database")
    peers.add_arguments(parser)
    args = parser.parse_args(argv)
    args.backends = backends_list(args.backends, parser)
    peers.check_arguments(args, parser)
    if args.players < 1 or not 0 < args.seconds <= 600:
        parser.error("--players must be positive and --seconds in (0, 600]")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_main(lambda stop: measure(args, argv, stop))


if __name__ == "__main__":
    main()
