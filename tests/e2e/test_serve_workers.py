"""`serve --workers 2` and its followers process, as real processes on one database.

Many clients bet, settle, claim rakeback and adjust wallets at once through
two API processes (each with its own group-commit writer) while one followers
process runs the projections, reactions and scheduler. Then: no balance went
negative, every acknowledged command is in the log exactly once (the same
requestId sent twice at once gives one result), the trial balance is zero,
every read right after a write showed it, and a rebuild of every view equals
the live one.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.http.auth import Role, TokenIssuer
from domain.commanding.request import Request
from tests.e2e.test_serve_process import COMMAND, SECRET, free_port, server_env
from tests.factories import dumps, fresh_services, postgres_url

RECORDED = f"{Request.__module__}:{Request.__qualname__}.Recorded"
PROVIDER, PROVIDER_SECRET = "acme", "acme-secret-0123456789"
PLAYERS = [f"p{n}" for n in range(6)]
FUNDS = Decimal(500)
CLIENTS, ROUNDS = 12, 25


class Workers:
    def __init__(self, database_url: str, cwd: Path, **extra_env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / "serve-workers.log"
        env = server_env(database_url, CASINO_LEDGER_PROVIDER_SECRETS=json.dumps(
            {PROVIDER: PROVIDER_SECRET}), CASINO_LEDGER_READ_WAIT_MS="10000", **extra_env)
        with self.log_path.open("w") as sink:
            self.process = subprocess.Popen(
                [*COMMAND, "serve", "--port", str(self.port), "--workers", "2"], env=env,
                cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited early:\n{self.log()}"
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"serve --workers 2 did not answer in 40 s:\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def signed(client: httpx.Client, headers: dict, path: str, body: dict) -> httpx.Response:
    raw = json.dumps(body).encode()
    mac = hmac.new(PROVIDER_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(path, content=raw, headers={
        **headers, "Content-Type": "application/json", "X-Casino-Signature": f"sha256={mac}"})


def test_two_workers_and_one_followers_process_keep_every_invariant(database_url, tmp_path):
    tokens = TokenIssuer(SECRET)

    def auth(role: Role, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.issue(role, subject)}"}

    finance, operator = auth(Role.FINANCE, "fin-1"), auth(Role.OPERATOR, "ops-1")
    provider = auth(Role.PROVIDER, PROVIDER)
    server = Workers(database_url, tmp_path)
    acknowledged: list[str] = []  # requestIds answered 200 (recorded)
    twins: list[tuple[dict, dict]] = []
    stale: list[str] = []
    lock = threading.Lock()
    try:
        server.wait_healthy()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            game = client.put("/v1/admin/games/house-99", headers=operator, json={
                "rtp": "99", "category": "dice", "provider": "Originals", "houseGame": True})
            assert game.status_code == 200, game.text
            for player in PLAYERS:
                funded = client.post("/v1/admin/adjustments", headers=finance, json={
                    "requestId": f"fund-{player}", "playerId": player, "currency": "USDT",
                    "amount": str(FUNDS), "balance": "cash", "reason": "load"})
                assert funded.status_code == 200, funded.text
                acknowledged.append(f"fund-{player}")

        def play(number: int) -> None:
            rng = random.Random(number)
            with httpx.Client(base_url=server.url, timeout=30) as client:
                for turn in range(ROUNDS):
                    player = rng.choice(PLAYERS)
                    tag = f"c{number}-t{turn}"
                    stake = f"{rng.randint(1, 60)}.00"
                    placed = signed(client, provider, "/v1/bets/place", {
                        "requestId": f"bet-{tag}", "playerId": player, "gameId": "house-99",
                        "roundId": f"r-{tag}", "stake": {"amount": stake, "currency": "USDT"}})
                    assert placed.status_code == 200, placed.text
                    if placed.json()["status"] != "ACCEPTED":
                        continue
                    with lock:
                        acknowledged.append(f"bet-{tag}")
                    win = rng.random() < 0.4
                    settled = signed(client, provider, "/v1/rounds/settle", {
                        "requestId": f"settle-{tag}", "roundId": f"r-{tag}", "bets": [{
                            "betId": placed.json()["betId"], "outcome": "WIN" if win else "LOSS",
                            "payout": str(Decimal(stake) * 2) if win else "0"}]})
                    assert settled.status_code == 200, settled.text
                    with lock:
                        acknowledged.append(f"settle-{tag}")
                    # A read right after an acknowledged write shows it, with no header.
                    position = int(settled.headers["X-Log-Position"])
                    read = client.get(f"/v1/players/{player}/ledger", params={"limit": 500},
                                      headers=auth(Role.PLAYER, player))
                    assert read.status_code == 200, read.text
                    if int(read.headers["X-View-Position"]) < position:
                        with lock:
                            stale.append(tag)
                    if turn % 5 == 2:
                        claim = client.post(f"/v1/players/{player}/rakeback/claim",
                                            headers=auth(Role.PLAYER, player),
                                            json={"requestId": f"claim-{tag}", "type": "INSTANT"})
                        assert claim.status_code in (200, 409), claim.text
                        if claim.status_code == 200:
                            with lock:
                                acknowledged.append(f"claim-{tag}")
                    if turn % 7 == 3:
                        # The same debit sent twice at once (likely to both workers).
                        body = {"requestId": f"debit-{tag}", "playerId": player,
                                "currency": "USDT", "amount": "-3", "balance": "cash",
                                "reason": "fee"}
                        with ThreadPoolExecutor(2) as pair:
                            answers = list(pair.map(lambda _: httpx.post(
                                f"{server.url}/v1/admin/adjustments", headers=finance,
                                json=body, timeout=30), range(2)))
                        codes = {a.status_code for a in answers}
                        assert codes <= {200, 409}, [a.text for a in answers]
                        if codes == {200}:
                            with lock:
                                acknowledged.append(f"debit-{tag}")
                                twins.append((answers[0].json(), answers[1].json()))

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(play, range(CLIENTS)))
    finally:
        server.stop()
    log = server.log()
    assert server.process.returncode in (0, -signal.SIGTERM), log
    assert log.count("followers process") == 1, log  # started once, never restarted
    assert not stale
    assert all(first == second for first, second in twins) and twins

    services = fresh_services(database_url)
    try:
        services.projections.catch_up()
        recorded = Counter()
        for note in services.ledger.recorder.select_notifications(0, 10**9):
            if note.topic == RECORDED:
                event = services.ledger.mapper.to_domain_event(note)
                recorded[event.request_id] += 1
        assert all(recorded[request_id] == 1 for request_id in acknowledged), [
            r for r in acknowledged if recorded[r] != 1]
        assert len(set(acknowledged)) == len(acknowledged)
        for row in [r for p in PLAYERS for r in services.balances.for_player(p)]:
            assert all(row[k] >= 0 for k in ("cash", "bonus", "locked", "available")), row
        assert all(total == 0 for total in services.journal.trial_balance().values())
        live = dumps(services)
        for name in services.projections.views:
            services.projections.rebuild(name)
        assert dumps(services) == live
    finally:
        services.close()


def test_one_scrape_of_any_worker_counts_every_workers_commands(database_url, tmp_path):
    """Prometheus's multi-process mode: whichever worker answers /metrics, the
    counts are those of both workers together."""
    finance = {"Authorization": f"Bearer {TokenIssuer(SECRET).issue(Role.FINANCE, 'fin-1')}"}
    folder = tmp_path / "metrics"
    folder.mkdir()
    server = Workers(database_url, tmp_path, CASINO_LEDGER_METRICS="public",
                     PROMETHEUS_MULTIPROC_DIR=str(folder))
    try:
        server.wait_healthy()
        for n in range(20):  # a connection each: the kernel spreads them over the workers
            credit = httpx.post(f"{server.url}/v1/admin/adjustments", headers=finance, json={
                "requestId": f"m-{n}", "playerId": "p1", "currency": "USDT", "amount": "1",
                "balance": "cash", "reason": "load"}, timeout=30)
            assert credit.status_code == 200, credit.text
        counts = [adjustments_counted(httpx.get(f"{server.url}/metrics", timeout=30).text)
                  for _ in range(6)]
    finally:
        server.stop()
    assert counts == [20] * 6, counts


def adjustments_counted(text: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "casino_command_duration_seconds_count"
               and sample.labels.get("kind") == "adjustment")


def api_processes(serve_pid: int) -> list[int]:
    """The API worker processes of `serve` (its spawned children, not the followers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if ppid == serve_pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def listening(port: int) -> int:
    """How many sockets listen on `port` (one per worker with SO_REUSEPORT)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}")
               and row.split()[3] == "0A")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_keep_alive_clients_reach_both_workers_and_a_killed_worker_is_replaced(
        postgres_database, tmp_path):
    """48 keep-alive clients opened at once are spread over both API processes
    (each listens on its own SO_REUSEPORT socket); a worker killed with SIGKILL
    is started again and the port keeps answering. Processes and sockets, not
    storage: PostgreSQL only."""
    server = Workers(postgres_url(postgres_database), tmp_path)
    reader = {"Authorization": f"Bearer {TokenIssuer(SECRET).issue(Role.FINANCE, 'fin-1')}"}
    try:
        server.wait_healthy()
        workers = api_processes(server.process.pid)
        assert len(workers) == 2, workers
        wait_until(lambda: listening(server.port) == 2, "both workers listening")
        before = {pid: cpu_seconds(pid) for pid in workers}
        clients = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                   for _ in range(48)]
        for client in clients:  # all connected at once, as a provider's pool opens
            client.connect()

        def use(client: http.client.HTTPConnection) -> list[int]:
            codes = []
            for _ in range(10):
                client.request("GET", "/v1/players/p1/balances", headers=reader)
                answer = client.getresponse()
                answer.read()
                codes.append(answer.status)
            client.close()
            return codes

        with ThreadPoolExecutor(48) as pool:
            answers = list(pool.map(use, clients))
        assert {code for codes in answers for code in codes} == {200}
        used = {pid: cpu_seconds(pid) - before[pid] for pid in workers}
        # Each worker takes about half (binomial: a quarter or less once in 2,000 runs).
        assert min(used.values()) >= 0.25 * sum(used.values()), used

        os.kill(workers[0], signal.SIGKILL)
        wait_until(lambda: len(set(api_processes(server.process.pid)) - {workers[0]}) == 2
                   and listening(server.port) == 2, "a new worker listening")
        codes = [httpx.get(f"{server.url}/v1/players/p1/balances", headers=reader,
                           timeout=30).status_code for _ in range(20)]
        assert codes == [200] * 20
    finally:
        server.stop()


def wait_until(condition: Any, what: str, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)
