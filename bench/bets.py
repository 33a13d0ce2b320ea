"""Bets benchmark: bet cycles (place + settle) per second, domain layer and HTTP.

    .venv/bin/python bench/bets.py [--seconds N] [--threads 1,8] [--http-threads 1,8,16]
                                   [--backends sqlite,postgres] [--players N]
                                   [--group-commit N] [--no-follow] [--workers N]
                                   [--config FILE]
                                   [--read-probes 1000]
                                   [--peer-threads 20] [--peer-accounts 50] [--no-peer]

For each backend, in a scratch place (a temporary SQLite file; a temporary
PostgreSQL database, dropped at the end), it configures one game, funds the
players with adjustments, and then times bet cycles: `PlaceBet` of a random
stake (0.01 to 10.00 USDT), then `SettleRound` of that bet, alternately WIN
(payout twice the stake) and LOSS. Two commands per cycle:

1. through the domain layer: `services.ledger.execute(...)` in this process,
   from 1 and several threads (the ledger as `bootstrap` builds it, group
   commit included);
2. through HTTP: the real server (`casino-ledger serve` in a subprocess on
   127.0.0.1, i.e. uvicorn with `create_app(bootstrap(settings))`, projections
   following in the server as they do by default), driven by httpx clients
   from several threads, each body signed as a game provider signs it
   (`X-Casino-Signature: sha256=<HMAC-SHA256 of the raw body>`); with
   `--workers N`, passed to `serve` if this `serve` accepts it (checked at
   run time; otherwise one process, and the output says so);
3. the raw baseline of bench/scratch.py (one INSERT per commit), same threads;
4. on PostgreSQL, the peer of bench/peers.py: pgledger's
   `pgledger_create_transfer` from 20 threads over 50 accounts, in the same
   database. A cycle is two money movements, so "bet commands/s" is the figure
   to put beside pgledger's transfers/s; both cycles/s and bet commands/s are
   printed as ratios to it.

At the end it catches the projections up and checks that the journal's trial
balance is zero, that every bet placed is settled (with as many WINs and LOSSes
as were sent), that no stake is still held, and that the balances add up to
the funding plus what the cycles moved. Everything it created (databases,
files, the server process) is removed at the end, on Ctrl-C too. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.http.auth import Role, TokenIssuer  # noqa: E402
from api.bootstrap import Services, bootstrap  # noqa: E402
from api.config.settings import Settings  # noqa: E402
from bench import peers  # noqa: E402
from bench.common import (  # noqa: E402
    CURRENCY,
    DEFAULT_POSTGRES,
    REPO,
    Run,
    WorkerFactory,
    backends_list,
    drive,
    errors_cell,
    load_line,
    machine,
    markdown,
    no_interrupts,
    run_main,
    say,
    threads_list,
)
from bench.scratch import (  # noqa: E402
    raw_rates,
    raw_runs,
    scratch,
    scratch_folder,
)
from domain.wallet.commands import Adjust  # noqa: E402
from domain.betting.commands import BetOutcome, PlaceBet, SettleRound  # noqa: E402
from domain.betting.games import ConfigureGame  # noqa: E402

SECRET = "bench-signing-key-" + "0" * 32
PROVIDER = "bench-provider"
PROVIDER_SECRET = "bench-provider-hmac-secret-" + "0" * 16
GAME = "bench-dice"
OPENING = Decimal("1000000.000000")  # far above any run's losses: no bet is refused
SCRIPT = Path(sys.executable).with_name("casino-ledger")
SERVE = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "api.cli.main"]
START_TIMEOUT = 30.0
HTTP_TIMEOUT = 30.0
DOMAIN, HTTP = "domain", "HTTP"


class CycleFailed(Exception):
    """A cycle that did not complete; `label` is how the tables count it."""

    def __init__(self, label: str, detail: str = ""):
        super().__init__(f"{label}: {detail}" if detail else label)
        self.label = label


@dataclass
class Tally:
    """Bets placed and settled by the measured runs, for the final checks."""

    placed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, placed: int = 0, outcome: str | None = None) -> None:
        with self.lock:
            self.placed += placed
            if outcome:
                self.outcomes[outcome] += 1


def cycle_terms(rng: random.Random, i: int) -> tuple[Decimal, str, Decimal]:
    """(stake, outcome, payout) of cycle i: WIN and LOSS alternate."""
    stake = Decimal(rng.randint(1, 1000)).scaleb(-2)  # 0.01 .. 10.00
    return (stake, "WIN", stake * 2) if i % 2 == 0 else (stake, "LOSS", Decimal(0))


def slices(players: Sequence[str], threads: int) -> list[list[str]]:
    """Each thread bets for its own players, so no two threads share a wallet."""
    return [list(players[t::threads]) for t in range(threads)]


# Setup (not measured).

def settings_for(url: str, args: argparse.Namespace) -> Settings:
    options = {} if args.group_commit is None else {"group_commit": args.group_commit}
    return Settings(database_url=url, secret=SECRET, config=args.config,  # as the server's
                    provider_secrets={PROVIDER: PROVIDER_SECRET}, **options)


def configure_game(services: Services) -> None:
    services.ledger.execute(ConfigureGame(
        game_id=GAME, rtp=Decimal("99"), category="dice", provider="Originals",
        house_game=True, actor="bench"))


def fund_in_process(services: Services, players: Sequence[str]) -> None:
    """One adjustment per player, from 8 threads (so group commit batches them)."""
    def fund(player: str) -> None:
        services.ledger.execute(Adjust(
            request_id=f"fund-{player}", player_id=player, currency=CURRENCY,
            amount=OPENING, balance="cash", reason="benchmark funding", actor="bench"))

    in_parallel(fund, players)
    for player in players:  # a warm aggregate cache, as in a running server
        services.ledger.wallet(player, CURRENCY)


def fund_over_http(base_url: str, token: str, players: Sequence[str]) -> None:
    """One POST /v1/admin/adjustments per player (this also warms the server's cache)."""
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        def fund(player: str) -> None:
            answer = client.post("/v1/admin/adjustments", json={
                "requestId": f"fund-{player}", "playerId": player, "currency": CURRENCY,
                "amount": str(OPENING), "balance": "cash", "reason": "benchmark funding"})
            if answer.status_code != 200:
                raise RuntimeError(f"funding {player}: {answer.status_code} {answer.text}")

        in_parallel(fund, players)


def read_your_writes(base_url: str, token: str, count: int) -> str:
    """`count` acknowledged writes, each followed at once by a balance read with no
    header: how many reads showed their write, and the reads' p50/p99.

    The writes are BTC adjustments of a player of their own, so the USDT
    totals checked afterwards are untouched (and the trial balance stays zero).
    """
    if count <= 0:
        return "not run"
    player, shown, took = "bench-read-probe", 0, []
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        for n in range(1, count + 1):
            wrote = client.post("/v1/admin/adjustments", json={
                "requestId": f"probe-{uuid.uuid4().hex}", "playerId": player,
                "currency": "BTC", "amount": "0.00000001", "balance": "cash",
                "reason": "read-your-writes probe"})
            if wrote.status_code != 200:
                return f"write {n} failed: {wrote.status_code} {wrote.text[:200]}"
            began = time.perf_counter()
            read = client.get(f"/v1/players/{player}/balances")
            took.append((time.perf_counter() - began) * 1000)
            if read.status_code == 200:
                cash = {b["currency"]: b["cash"] for b in read.json()["balances"]}
                shown += Decimal(cash.get("BTC", "0")) >= Decimal("0.00000001") * n
    took.sort()
    return (f"{shown:,}/{count:,} (read p50 {took[len(took) // 2]:.1f} ms, "
            f"p99 {took[int(len(took) * 0.99) - 1]:.1f} ms)")


def in_parallel(task: Callable[[str], None], items: Sequence[str], threads: int = 8) -> None:
    """Run `task` on every item from a few threads; on any error (Ctrl-C too), the
    tasks not yet started are dropped and the error is raised."""
    pool = ThreadPoolExecutor(threads)
    try:
        for future in [pool.submit(task, item) for item in items]:
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# The two paths.

def domain_worker(services: Services, label: str, players: Sequence[str], threads: int,
                  tally: Tally) -> WorkerFactory:
    mine = slices(players, threads)

    def make(thread: int) -> Any:
        rng = random.Random(f"{label}-{thread}")

        def work(i: int) -> Decimal:
            stake, outcome, payout = cycle_terms(rng, i)
            round_id = f"{label}-t{thread}-{i}"
            placed = services.ledger.execute(PlaceBet(
                request_id=f"{round_id}-bet", provider=PROVIDER,
                player_id=rng.choice(mine[thread]), game_id=GAME, round_id=round_id,
                currency=CURRENCY, stake=stake))
            tally.add(placed=1)
            services.ledger.execute(SettleRound(
                request_id=f"{round_id}-settle", provider=PROVIDER, round_id=round_id,
                bets=(BetOutcome(placed.result.bet_id, outcome, payout),)))
            tally.add(outcome=outcome)
            return payout - stake
        return work
    return make


def signed(body: dict[str, Any]) -> tuple[bytes, str]:
    """The exact bytes sent and their signature, as a provider computes them."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    digest = hmac.new(PROVIDER_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, f"sha256={digest}"


def http_worker(base_url: str, token: str, label: str, players: Sequence[str],
                threads: int, tally: Tally) -> WorkerFactory:
    mine = slices(players, threads)

    def make(thread: int) -> Any:
        rng = random.Random(f"{label}-{thread}")
        client = httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            raw, signature = signed(body)
            answer = client.post(path, content=raw, headers={"X-Casino-Signature": signature})
            if answer.status_code != 200:
                raise CycleFailed(f"HTTP {answer.status_code}", answer.text[:200])
            return answer.json()

        def work(i: int) -> Decimal:
            stake, outcome, payout = cycle_terms(rng, i)
            round_id = f"{label}-t{thread}-{i}"
            placed = post("/v1/bets/place", {
                "requestId": f"{round_id}-bet", "playerId": rng.choice(mine[thread]),
                "gameId": GAME, "roundId": round_id,
                "stake": {"amount": str(stake), "currency": CURRENCY}})
            if placed.get("status") != "ACCEPTED":
                raise CycleFailed(f"REJECTED {placed.get('reason')}")
            tally.add(placed=1)
            post("/v1/rounds/settle", {
                "requestId": f"{round_id}-settle", "roundId": round_id,
                "bets": [{"betId": placed["betId"], "outcome": outcome,
                          "payout": str(payout)}]})
            tally.add(outcome=outcome)
            return payout - stake
        work.close = client.close  # type: ignore[attr-defined]
        return work
    return make


# The server: `casino-ledger serve` in a subprocess, stopped whatever happens.

@dataclass
class Server:
    url: str
    pid: int
    log: Path

    def health(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/healthz", timeout=HTTP_TIMEOUT).json()


def serve_accepts(option: str) -> bool:
    """Whether this `casino-ledger serve` takes `option` (from its --help)."""
    env = os.environ | {"NO_COLOR": "1", "COLUMNS": "200"}
    shown = subprocess.run([*SERVE, "serve", "--help"], cwd=REPO, env=env, timeout=60,
                           capture_output=True, text=True)
    return option in shown.stdout


def server_line(args: argparse.Namespace) -> str:
    if args.workers is None:
        return "no --workers passed"
    if args.serve_workers:
        return f"serve --workers {args.workers}"
    return (f"one process: --workers {args.workers} asked for, but this casino-ledger "
            "serve has no --workers option")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(url: str, folder: Path, args: argparse.Namespace,
          extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`casino-ledger serve` on `url`; `extra_env`: more CASINO_LEDGER_* settings."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASINO_LEDGER_")}
    env |= {"CASINO_LEDGER_DATABASE_URL": url, "CASINO_LEDGER_SECRET": SECRET,
            "CASINO_LEDGER_PROVIDER_SECRETS": json.dumps({PROVIDER: PROVIDER_SECRET}),
            "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    env |= extra_env or {}
    if args.config is not None:
        env["CASINO_LEDGER_CONFIG"] = str(args.config.resolve())
    if args.group_commit is not None:
        env["CASINO_LEDGER_GROUP_COMMIT"] = str(args.group_commit)
    if args.metrics:
        env["CASINO_LEDGER_METRICS"] = "public"  # counted on the hot path, /metrics open
    log = folder / f"serve-{port}.log"
    command = [*SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if not args.follow:
        command.append("--no-follow")
    if args.workers is not None and args.serve_workers:
        command += ["--workers", str(args.workers)]
    with log.open("w") as sink:
        process = subprocess.Popen(command,
                                   env=env, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # Ctrl-C reaches only us
    try:
        server = Server(f"http://127.0.0.1:{port}", process.pid, log)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited early:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not answer within {START_TIMEOUT:g} s:\n"
                                   f"{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        with no_interrupts():
            process.terminate()  # uvicorn shuts down gracefully on SIGTERM
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its worker processes too
                process.wait(5)


# One backend, start to finish.

def bench_backend(backend: str, args: argparse.Namespace, stop: threading.Event,
                  ) -> tuple[list[Run], dict[str, Any]]:
    tally = Tally()
    with ExitStack() as stack:
        url, raw = stack.enter_context(scratch(backend, args.postgres))
        folder = stack.enter_context(scratch_folder())
        domain_players = [f"d{n}" for n in range(args.players)]
        http_players = [f"h{n}" for n in range(args.players)]
        runs, moved = [], Decimal(0)
        funded = len(domain_players) + len(http_players)
        tokens = TokenIssuer(SECRET)

        services = bootstrap(settings_for(url, args))
        try:
            say(f"{backend}: game and {len(domain_players)} funded players (adjustments)")
            configure_game(services)
            fund_in_process(services, domain_players)
            recorder: Any = services.ledger.recorder
            table_name = (getattr(recorder.datastore, "schema", ""), recorder.events_table_name)
            for n in args.threads:
                say(f"{backend}: domain layer, {n} thread(s)")
                head, batches = services.ledger.head(), batch_counters(services)
                run = drive(Run(backend, DOMAIN, n), args.seconds,
                            domain_worker(services, f"{backend}-domain-{n}", domain_players,
                                          n, tally), stop)
                run.events = services.ledger.head() - head
                done = [b - a for b, a in zip(batch_counters(services), batches)]
                run.batch = done[1] / done[0] if done[0] else 1.0
                moved += run.moved
                runs.append(run)
            say(f"{backend}: projection catch-up before the server starts")
            services.projections.catch_up()  # the server's followers start current
        finally:
            services.close()

        with serve(url, folder, args) as server:
            say(f"{backend}: casino-ledger serve on {server.url}; funding "
                f"{len(http_players)} players over HTTP")
            fund_over_http(server.url, tokens.issue(Role.FINANCE, "bench-finance"),
                           http_players)
            provider_token = tokens.issue(Role.PROVIDER, PROVIDER)
            lags = []
            for n in args.http_threads:
                say(f"{backend}: HTTP, {n} client thread(s)")
                head = server.health()["head"]
                run = drive(Run(backend, HTTP, n), args.seconds,
                            http_worker(server.url, provider_token, f"{backend}-http-{n}",
                                        http_players, n, tally),
                            stop, watch_pid=server.pid)
                health = server.health()
                run.events = health["head"] - head
                lags.append(drained(server, health) if args.follow else "not followed")
                if backend == "postgres":
                    run.batch = commands_per_transaction(raw, table_name, head, health["head"])
                moved += run.moved
                runs.append(run)

            say(f"{backend}: {args.read_probes} writes, each read at once with no header")
            probes = read_your_writes(server.url, tokens.issue(Role.FINANCE, "bench-probe"),
                                      args.read_probes if args.follow else 0)

            if any(run.errors for run in runs if run.path == HTTP):
                tail = server.log.read_text(errors="replace").splitlines()[-30:]
                say("errors over HTTP; the end of the server's log:\n" + "\n".join(tail))

        say(f"{backend}: checks")
        checks = check(url, args, tally, funded, moved)
        checks["lags"] = lags
        checks["probes"] = probes
        runs += raw_runs(backend, raw, sorted(set(args.threads) | set(args.http_threads)),
                         args.seconds, stop)
        runs += peers.peer_runs(backend, raw, args, stop)
        return runs, checks | {"backend": backend}


def drained(server: Server, health: dict[str, Any], limit: float = 60.0) -> str:
    """The server's view lag at the end of a run, and how long its views took to
    reach the head (waited for, at most `limit` s, so the next run starts clean)."""
    laggard = max(health["projections"], key=lambda p: p["lag"])
    # The reactions (rakeback accrual, cashback plays, bonus wagering) issue
    # commands of their own; their lag says whether they keep pace with betting.
    reactions = "; reactions " + ", ".join(
        f"{p['name']} {p['lag']:,}" for p in health["projections"]
        if p["name"] in REACTIONS)
    if not laggard["lag"]:
        return "0" + reactions
    began = time.perf_counter()
    return _drained(server, laggard, limit, began) + reactions


REACTIONS = ("rakeback_accrual", "cashback_plays", "bonus_wagering")


def _drained(server: Server, laggard: dict[str, Any], limit: float, began: float) -> str:
    while time.perf_counter() - began < limit:
        views = server.health()["projections"]
        failed = [p for p in views if p["error"]]
        if failed:
            return f"view {failed[0]['name']} FAILED: {failed[0]['error'][:200]}"
        if all(p["lag"] == 0 for p in views):
            return (f"{laggard['lag']:,} ({laggard['name']}), current after "
                    f"{time.perf_counter() - began:.1f} s")
        time.sleep(0.2)
    return f"{laggard['lag']:,} ({laggard['name']}), still behind after {limit:g} s"


def batch_counters(services: Services) -> tuple[int, int]:
    commands = services.ledger.commands
    return getattr(commands, "batches", 0), getattr(commands, "batched", 0)


def commands_per_transaction(raw_url: str, table: tuple[str, str], after: int, until: int,
                             ) -> float | None:
    """Commands per transaction in a log range, read from PostgreSQL's xmin.

    Commands are counted by their Request records, and only transactions that
    hold one count: reactions in the server (rakeback accrual) record none.
    """
    statement = sql.SQL(
        "SELECT count(*), count(DISTINCT xmin::text) FROM {} "
        "WHERE notification_id > %s AND notification_id <= %s AND topic LIKE %s"
    ).format(sql.Identifier(*table))
    with psycopg.connect(raw_url) as conn:
        commands, transactions = conn.execute(
            statement, (after, until, "%:Request.%")).fetchone()
    return commands / transactions if transactions else None


def check(url: str, args: argparse.Namespace, tally: Tally, funded: int,
          moved: Decimal) -> dict[str, Any]:
    """Catch the projections up, then check the books and the bets."""
    services = bootstrap(settings_for(url, args))
    try:
        began = time.perf_counter()
        services.projections.catch_up()
        took = time.perf_counter() - began
        trial = services.journal.trial_balance()
        with services.bets.db.transaction(commit=False) as cursor:
            rows = cursor.execute("SELECT status, outcome, count(*) AS n FROM {s}bets "
                                  "GROUP BY status, outcome").fetchall()
        by_status = Counter({(r["status"], r["outcome"]): int(r["n"]) for r in rows})
        totals = services.balances.totals(CURRENCY)
        settled = {o: n for (s, o), n in by_status.items() if s == "SETTLED"}
        return {
            "catch_up": took,
            "trial": trial,
            "trial_zero": bool(trial) and all(v == 0 for v in trial.values()),
            "bets": sum(by_status.values()),
            "placed": tally.placed,
            "all_settled": (sum(by_status.values()) == tally.placed
                            and settled == dict(tally.outcomes)),
            "statuses": dict(by_status),
            "held": totals["locked"] + totals["bonus_locked"],
            "balanced": (totals["available"] + totals["locked"]
                         == OPENING * funded + moved),
        }
    finally:
        services.close()


# Printing.

def table(runs: Sequence[Run]) -> list[str]:
    raw, peer = raw_rates(runs), peers.peer_rate(runs)
    rows = []
    for r in runs:
        ledger = r.path in (DOMAIN, HTTP)
        commands = r.rate * 2 if ledger else r.rate  # raw: commits/s; pgledger: transfers/s
        ratio = (f"{commands / raw[r.backend, r.threads]:.2f}"
                 if ledger and raw.get((r.backend, r.threads)) else "-")
        rows.append((
            r.backend, r.path, r.threads, f"{r.rate:,.0f}" if ledger else "-",
            peers.times_peer(r.rate, peer) if ledger else "-", f"{commands:,.0f}",
            peers.times_peer(commands, peer), f"{r.events / r.seconds:,.0f}" if r.events else "-",
            f"{r.batch:.1f}" if r.batch is not None else "-",
            f"{r.percentile(0.5):.2f}", f"{r.percentile(0.99):.2f}", ratio,
            f"{r.py_cpu:.0%}", f"{r.server_cpu:.0%}" if r.server_cpu is not None else "-",
            f"{r.host_cpu:.0%}", errors_cell(r)))
    return markdown(("backend", "path", "threads", "cycles/s", f"cycles {peers.PEER_COLUMN}",
                     "bet commands/s", f"commands {peers.PEER_COLUMN}", "events/s",
                     "cmds/txn", "p50 ms", "p99 ms", "vs raw", "bench CPU", "server CPU",
                     "host CPU", "errors"), rows)


def checks_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    cells = []
    for c in rows:
        trial = ", ".join(f"{k} {v}" for k, v in sorted(c["trial"].items())) or "none"
        outcomes = ", ".join(f"{s}/{o or '-'} {n:,}"
                             for (s, o), n in sorted(c["statuses"].items(),
                                                     key=lambda x: str(x[0])))
        cells.append((c["backend"], f"{c['placed']:,}", outcomes,
                      "yes" if c["all_settled"] else "NO", c["held"],
                      "yes" if c["balanced"] else "NO", trial,
                      "yes" if c["trial_zero"] else "NO",
                      "; ".join(str(lag) for lag in c["lags"]), f"{c['catch_up']:.2f}",
                      c.get("probes", "-")))
    return markdown(("backend", "bets placed", "bets view (status/outcome)",
                     "every bet settled", "still held", "balances add up", "trial balance",
                     "zero", "server views behind at the end of each HTTP run (events; most lagging view; each reaction's lag)",
                     "final catch-up s",
                     "reads right after an acknowledged write that showed it (no header)"), cells)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=None,
                        help="a business configuration file for both ledgers (e.g. "
                             "compliance checks on or off, docs/compliance.md)")
    parser.add_argument("--seconds", type=float, default=4.0,
                        help="length of each measured run (default 4)")
    parser.add_argument("--threads", default="1,8",
                        help="domain-layer thread counts (default 1,8)")
    parser.add_argument("--http-threads", default="1,8,16",
                        help="HTTP client thread counts (default 1,8,16)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--read-probes", type=int, default=1000,
                        help="after the HTTP runs: writes each followed at once by a "
                        "balance read with no header (default 1000; 0 skips)")
    parser.add_argument("--players", type=int, default=400,
                        help="players per path, each with a funded USDT wallet (default 400)")
    parser.add_argument("--group-commit", type=int, default=None,
                        help="group-commit batch size, in process and in the server "
                             "(default: the Settings default; 0 = one command per txn)")
    parser.add_argument("--metrics", action="store_true",
                        help="serve with CASINO_LEDGER_METRICS=public (default: off), "
                             "to compare the bet benchmark with metrics on and off")
    parser.add_argument("--no-follow", dest="follow", action="store_false",
                        help="serve with --no-follow: no projections in the server "
                             "(they are caught up at the end instead)")
    parser.add_argument("--workers", type=int, default=None,
                        help="API processes: passed as serve --workers N if this serve "
                             "accepts it (default: not passed, serve's own default)")
    peers.add_arguments(parser)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="a server connection for creating the scratch database")
    args = parser.parse_args(argv)
    args.threads = threads_list(args.threads)
    args.http_threads = threads_list(args.http_threads)
    args.backends = backends_list(args.backends, parser)
    peers.check_arguments(args, parser)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    args.serve_workers = args.workers is not None and serve_accepts("--workers")
    if args.seconds <= 0 or args.seconds > 600:
        parser.error("--seconds must be in (0, 600]")
    if args.players < max(args.threads + args.http_threads):
        parser.error("--players must be at least the largest thread count")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_main(lambda stop: measure(args, argv, stop))


def measure(args: argparse.Namespace, argv: list[str] | None, stop: threading.Event) -> None:
    began = time.perf_counter()
    runs, checks = [], []
    header = machine(args.postgres if "postgres" in args.backends else None)
    for backend in args.backends:
        done, checked = bench_backend(backend, args, stop)
        runs += done
        checks.append(checked)
    group = (args.group_commit if args.group_commit is not None
             else Settings.model_fields["group_commit"].default)
    following = ("projections following in it" if args.follow
                 else "--no-follow: no projections in it")
    command = " ".join(["bench/bets.py", *(argv if argv is not None else sys.argv[1:])])
    ok = peers.books_ok(runs) and all(
        c["trial_zero"] and c["all_settled"] and c["balanced"] and c["held"] == 0
        for c in checks)
    print("\n".join([
        f"casino-ledger bets benchmark: {command}", "", *header, load_line("after the run"),
        f"Wall time: {time.perf_counter() - began:.0f} s", "",
        f"{args.seconds:g} s per run, {args.players} funded players per path, one game. "
        "A cycle is PlaceBet + SettleRound of one bet (two commands, two money movements), "
        f"WIN and LOSS alternating; group commit {group}. 'domain': services.ledger.execute "
        "in this process; 'HTTP': signed POST /v1/bets/place + /v1/rounds/settle to "
        f"casino-ledger serve ({server_line(args)}, {following}). 'bet commands/s': two per "
        "cycle (raw INSERT: commits/s, one row per commit; pgledger: transfers/s). 'vs raw' "
        "= ledger commands/s / raw commits/s at the same thread count. Latencies are per "
        "cycle (pgledger: per transfer). " + peers.peer_line(runs, args), "", *table(runs),
        "", "Checks after the runs (projections caught up):", "", *checks_table(checks)]))
    if not ok:
        print("\nCHECKS FAILED", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
