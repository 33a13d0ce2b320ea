"""Hub88 benchmark: Hub88 bet+win cycles per second over HTTP, beside v1 cycles
in the same run.

    .venv/bin/python bench/hub88.py [--seconds N] [--http-threads 1,8]
                                    [--backends sqlite,postgres] [--players N]
                                    [--group-commit N]

For each backend, in a scratch place (bench/scratch.py), it starts
`casino-ledger serve` with Hub88 mounted (a key pair made for the run stands
in for Hub88's), configures one game, funds the players over HTTP, opens a
game session per player, and then, for each client thread count, times:

1. v1 cycles: signed POST /v1/bets/place + /v1/rounds/settle (bench/bets.py's
   HTTP worker), WIN and LOSS alternating;
2. Hub88 cycles: POST {prefix}/transaction/bet, then /transaction/win naming
   the bet and closing the round (a win of twice the stake, or of 0: the round
   closed without a win), each body signed RSA-SHA256 as Hub88 signs it.

The client signs every Hub88 body with a 2048-bit RSA key, on the same cores
as the server: that cost is part of the figure. At the end the books are
checked as in bench/bets.py (trial balance zero, every bet settled as sent,
nothing held, balances adding up). Not a test.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.http.auth import Role, TokenIssuer  # noqa: E402
from bench.bets import (  # noqa: E402
    GAME,
    HTTP_TIMEOUT,
    PROVIDER,
    SECRET,
    CycleFailed,
    Tally,
    check,
    checks_table,
    cycle_terms,
    fund_over_http,
    http_worker,
    serve,
    slices,
)
from bench.common import (  # noqa: E402
    DEFAULT_POSTGRES,
    Run,
    WorkerFactory,
    backends_list,
    drive,
    errors_cell,
    machine,
    markdown,
    run_main,
    say,
    threads_list,
)
from bench.scratch import scratch, scratch_folder  # noqa: E402
from api.http.providers.hub88.wire import UNITS  # noqa: E402

PREFIX = "/hub88"
V1, HUB88 = "v1 HTTP", "Hub88 HTTP"


def hub88_worker(base_url: str, key: RSAPrivateKey, sessions: dict[str, str], label: str,
                 threads: int, tally: Tally) -> WorkerFactory:
    mine = slices(sorted(sessions), threads)

    def make(thread: int) -> Any:
        rng = random.Random(f"{label}-{thread}")
        client = httpx.Client(base_url=base_url + PREFIX, timeout=HTTP_TIMEOUT)

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            raw = json.dumps(body, separators=(",", ":")).encode()
            signature = base64.b64encode(key.sign(raw, padding.PKCS1v15(), hashes.SHA256()))
            answer = client.post(path, content=raw, headers={
                "X-Hub88-Signature": signature.decode(), "Content-Type": "application/json"})
            status = answer.json().get("status") if answer.status_code == 200 else None
            if status != "RS_OK":
                raise CycleFailed(status or f"HTTP {answer.status_code}", answer.text[:200])
            return answer.json()

        def work(i: int) -> Decimal:
            stake, outcome, payout = cycle_terms(rng, i)
            player = rng.choice(mine[thread])
            round_id = f"{label}-t{thread}-{i}"
            common = {"user": player, "token": sessions[player], "round": round_id,
                      "game_code": GAME, "currency": "USDT", "is_free": False}
            post("/transaction/bet", common | {
                "request_uuid": f"{round_id}-r1", "transaction_uuid": f"{round_id}-bet",
                "round_closed": False, "amount": int(stake * UNITS)})
            tally.add(placed=1)
            post("/transaction/win", common | {
                "request_uuid": f"{round_id}-r2", "transaction_uuid": f"{round_id}-win",
                "reference_transaction_uuid": f"{round_id}-bet", "round_closed": True,
                "amount": int(payout * UNITS)})
            tally.add(outcome=outcome)
            return payout - stake
        work.close = client.close  # type: ignore[attr-defined]
        return work
    return make


def open_sessions(base_url: str, token: str, players: Sequence[str]) -> dict[str, str]:
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        opened = {}
        for player in players:
            answer = client.post(f"/v1/players/{player}/game-sessions",
                                 json={"gameId": GAME, "currency": "USDT"})
            if answer.status_code != 200:
                raise RuntimeError(f"session of {player}: {answer.status_code} {answer.text}")
            opened[player] = answer.json()["token"]
        return opened


def put_game(base_url: str, token: str) -> None:
    answer = httpx.put(f"{base_url}/v1/admin/games/{GAME}", timeout=HTTP_TIMEOUT,
                       headers={"Authorization": f"Bearer {token}"},
                       json={"rtp": "99", "category": "dice", "provider": "Originals",
                             "houseGame": True})
    if answer.status_code != 200:
        raise RuntimeError(f"game: {answer.status_code} {answer.text}")


def bench_backend(backend: str, args: argparse.Namespace, stop: threading.Event,
                  ) -> tuple[list[Run], dict[str, Any]]:
    tally, tokens, runs, moved = Tally(), TokenIssuer(SECRET), [], Decimal(0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with ExitStack() as stack:
        url, _ = stack.enter_context(scratch(backend, args.postgres))
        folder = stack.enter_context(scratch_folder())
        pem = folder / "hub88-public.pem"
        pem.write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        v1_players = [f"v{n}" for n in range(args.players)]
        hub_players = [f"hub{n:04d}" for n in range(args.players)]
        env = {"CASINO_LEDGER_HUB88_PUBLIC_KEY": str(pem),
               "CASINO_LEDGER_HUB88_PREFIX": PREFIX}
        with serve(url, folder, args, env) as server:
            say(f"{backend}: serve on {server.url}; game, funding, sessions")
            put_game(server.url, tokens.issue(Role.OPERATOR, "bench-operator"))
            fund_over_http(server.url, tokens.issue(Role.FINANCE, "bench-finance"),
                           v1_players + hub_players)
            sessions = open_sessions(server.url, tokens.issue(Role.OPERATOR, "bench-op"),
                                     hub_players)
            provider_token = tokens.issue(Role.PROVIDER, PROVIDER)
            for n in args.http_threads:
                for path, worker in (
                        (V1, http_worker(server.url, provider_token, f"{backend}-v1-{n}",
                                         v1_players, n, tally)),
                        (HUB88, hub88_worker(server.url, key, sessions,
                                             f"{backend}-hub88-{n}", n, tally))):
                    say(f"{backend}: {path}, {n} client thread(s)")
                    run = drive(Run(backend, path, n), args.seconds, worker, stop,
                                watch_pid=server.pid)
                    moved += run.moved
                    runs.append(run)
        say(f"{backend}: checks")
        checked = check(url, args, tally, 2 * args.players, moved)
        return runs, checked | {"backend": backend, "lags": ["-"], "probes": "not run"}


def table(runs: Sequence[Run]) -> list[str]:
    v1 = {(r.backend, r.threads): r.rate for r in runs if r.path == V1}
    rows = [(r.backend, r.path, r.threads, f"{r.rate:,.0f}",
             f"{r.rate / v1[r.backend, r.threads]:.2f}" if v1.get((r.backend, r.threads))
             else "-", f"{r.percentile(0.5):.2f}", f"{r.percentile(0.99):.2f}",
             f"{r.server_cpu:.0%}" if r.server_cpu is not None else "-", errors_cell(r))
            for r in runs]
    return markdown(("backend", "path", "client threads", "cycles/s", "vs v1", "p50 ms",
                     "p99 ms", "server CPU", "errors"), rows)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--http-threads", default="1,8")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--players", type=int, default=64)
    parser.add_argument("--group-commit", type=int, default=None)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args(argv)
    args.http_threads = threads_list(args.http_threads)
    args.backends = backends_list(args.backends, parser)
    if args.players < max(args.http_threads):
        parser.error("--players must be at least the largest thread count")
    # What bench/bets.py's serve reads: the server as it runs by default.
    args.metrics, args.follow, args.workers, args.serve_workers = False, True, None, False
    return args


def measure(args: argparse.Namespace, argv: list[str] | None, stop: threading.Event) -> None:
    began, runs, checks = time.perf_counter(), [], []
    for backend in args.backends:
        done, checked = bench_backend(backend, args, stop)
        runs += done
        checks.append(checked)
    command = " ".join(["bench/hub88.py", *(argv if argv is not None else sys.argv[1:])])
    print("\n".join([
        f"casino-ledger Hub88 benchmark: {command}", "",
        *machine(args.postgres if "postgres" in args.backends else None),
        f"Wall time: {time.perf_counter() - began:.0f} s", "",
        f"{args.seconds:g} s per run, {args.players} funded players per path. A cycle is "
        "one bet and its settlement: v1 place + settle, Hub88 bet + win (closing the "
        "round); WIN and LOSS alternate.", "", *table(runs), "",
        "Checks after the runs (projections caught up):", "", *checks_table(checks)]))
    if not all(c["trial_zero"] and c["all_settled"] and c["balanced"] and c["held"] == 0
               for c in checks):
        print("\nCHECKS FAILED", file=sys.stderr)
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_main(lambda stop: measure(args, argv, stop))


if __name__ == "__main__":
    main()
