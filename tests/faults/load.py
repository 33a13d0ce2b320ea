"""Load that outlives faults: clients that retry every request by its requestId.

Each client bets, settles, claims instant rakeback and asks for withdrawals
for players that share wallets with other clients. A request that meets a
dead server, a dropped connection or a 503 is sent again, the same body with
the same requestId, until it gets a definitive answer; a 200 is recorded as
acknowledged. Any other 5xx fails the client. `check_nothing_lost` then
proves the log holds every acknowledged command exactly once, no balance is
negative, the trial balance is zero and a verified replay is equal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

from api.http.auth import Role, TokenIssuer
from domain.commanding.request import Request
from tests.e2e.test_serve_process import SECRET, run_cli
from tests.factories import fresh_services
from tests.faults.server import DESTINATION, PROVIDER, PROVIDER_SECRET, Served

RECORDED = f"{Request.__module__}:{Request.__qualname__}.Recorded"
GAME = "house-99"
FUNDS = Decimal(1)  # BTC per player
RETRIED = (502, 503, 504)


@dataclass
class Load:
    url: str
    players: list[str]
    patience: float = 60  # float-ok: seconds a request may wait for the server
    acknowledged: list[str] = field(default_factory=list)
    sent: int = 0  # requests answered (progress, for timing the faults)
    retries: int = 0
    failures: list[BaseException] = field(default_factory=list)  # clients that failed
    expected: int = 0  # requests the clients will send, at the least
    running: int = 0  # clients still at work
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        tokens = TokenIssuer(SECRET)
        self.finance = self.auth(tokens, Role.FINANCE, "fin-1")
        self.operator = self.auth(tokens, Role.OPERATOR, "ops-1")
        self.provider = self.auth(tokens, Role.PROVIDER, PROVIDER)
        self.player = {p: self.auth(tokens, Role.PLAYER, p) for p in self.players}

    @staticmethod
    def auth(tokens: TokenIssuer, role: Role, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.issue(role, subject, ttl=3600)}"}

    def send(self, client: httpx.Client, method: str, path: str, *, headers: dict,
             body: dict, signed: bool = False) -> httpx.Response:
        """Until a definitive answer: the same request after a transport error or a 503."""
        raw = json.dumps(body).encode()
        headers = {**headers, "Content-Type": "application/json"}
        if signed:
            mac = hmac.new(PROVIDER_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            headers["X-Casino-Signature"] = f"sha256={mac}"
        deadline, pause = time.monotonic() + self.patience, 0.05
        while True:
            try:
                answer = client.request(method, path, content=raw, headers=headers)
                if answer.status_code not in RETRIED:
                    assert answer.status_code < 500, f"{path}: {answer.text}"
                    with self.lock:
                        self.sent += 1
                    return answer
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{path} {body} unanswered in {self.patience} s"
            with self.lock:
                self.retries += 1
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def reached(self, share: float, what: str) -> None:  # float-ok: a fraction
        """Wait until the clients sent `share` of their requests: a fault lands in the load."""
        wait_for(lambda: self.sent >= self.expected * share or bool(self.failures), 30, what)
        assert self.running, f"{what}: the load was over"

    def acked(self, request_id: str) -> None:
        with self.lock:
            self.acknowledged.append(request_id)

    def prepare(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            game = self.send(client, "PUT", f"/v1/admin/games/{GAME}", headers=self.operator,
                             body={"rtp": "99", "category": "dice", "provider": "Originals",
                                   "houseGame": True})
            assert game.status_code == 200, game.text
            for player in self.players:
                funded = self.adjust(client, f"fund-{player}", player, str(FUNDS))
                assert funded.status_code == 200, funded.text

    def adjust(self, client: httpx.Client, request_id: str, player: str,
               amount: str) -> httpx.Response:
        answer = self.send(client, "POST", "/v1/admin/adjustments", headers=self.finance,
                           body={"requestId": request_id, "playerId": player,
                                 "currency": "BTC", "amount": amount, "balance": "cash",
                                 "reason": "load"})
        if answer.status_code == 200:
            self.acked(request_id)
        return answer

    def client(self, number: int, turns: int, go_on: Callable[[], bool] = lambda: True,
               ) -> None:
        """`turns` rounds (or while `go_on()`), each a bet and its settlement, with
        claims and withdrawals among them."""
        rng = random.Random(number)
        with httpx.Client(base_url=self.url, timeout=30) as client:
            turn = 0
            while turn < turns and go_on():
                self.turn(client, rng, f"c{number}-t{turn}", turn)
                turn += 1

    def turn(self, client: httpx.Client, rng: random.Random, tag: str, turn: int) -> None:
        player = rng.choice(self.players)
        stake = f"0.00{rng.randint(1, 9)}"
        placed = self.send(client, "POST", "/v1/bets/place", headers=self.provider,
                           signed=True, body={
                               "requestId": f"bet-{tag}", "playerId": player, "gameId": GAME,
                               "roundId": f"r-{tag}",
                               "stake": {"amount": stake, "currency": "BTC"}})
        assert placed.status_code == 200, placed.text
        if placed.json()["status"] == "REJECTED":  # lost it all: finance tops it up
            self.adjust(client, f"top-{tag}", player, "0.1")
        else:
            self.acked(f"bet-{tag}")
            win = rng.random() < 0.4
            settled = self.send(client, "POST", "/v1/rounds/settle", headers=self.provider,
                                signed=True, body={
                                    "requestId": f"settle-{tag}", "roundId": f"r-{tag}",
                                    "bets": [{"betId": placed.json()["betId"],
                                              "outcome": "WIN" if win else "LOSS",
                                              "payout": str(Decimal(stake) * 2) if win
                                              else "0"}]})
            assert settled.status_code == 200, settled.text
            self.acked(f"settle-{tag}")
        if turn % 4 == 1:
            claim = self.send(client, "POST", f"/v1/players/{player}/rakeback/claim",
                              headers=self.player[player],
                              body={"requestId": f"claim-{tag}", "type": "INSTANT"})
            assert claim.status_code in (200, 409), claim.text  # 409: nothing to claim
            if claim.status_code == 200:
                self.acked(f"claim-{tag}")
        if turn % 5 == 2:
            asked = self.send(client, "POST", f"/v1/players/{player}/withdrawals",
                              headers=self.player[player],
                              body={"requestId": f"wd-{tag}", "currency": "BTC",
                                    "amount": "0.0001", "destination": DESTINATION})
            assert asked.status_code in (200, 409), asked.text  # 409: funds short
            if asked.status_code == 200:
                self.acked(f"wd-{tag}")


@contextmanager
def under_load(env: dict, folder: Path, clients: int, turns: int, players: int = 4,
               go_on: Callable[[], bool] = lambda: True) -> Iterator[tuple[Served, Load]]:
    """`serve` started, `players` wallets funded and `clients` at work; on leaving,
    every client has finished and `serve` is stopped."""
    server = Served(env, folder)
    server.start()
    load = Load(server.url, [f"p{n}" for n in range(players)])
    try:
        load.prepare()
        load.expected = clients * turns * 2
        threads = run_clients(load, clients, turns, go_on)
        yield server, load
        for thread in threads:
            thread.join(timeout=load.patience * 2)
        assert not any(t.is_alive() for t in threads), "a client never finished"
    finally:
        server.stop()


def run_clients(load: Load, clients: int, turns: int,
                go_on: Callable[[], bool] = lambda: True) -> list[threading.Thread]:
    """Start `clients` threads; a client that fails records its error in `failures`."""

    def one(number: int) -> None:
        try:
            load.client(number, turns, go_on)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            load.failures.append(error)
        finally:
            with load.lock:
                load.running -= 1

    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(clients)]
    load.running = clients
    for thread in threads:
        thread.start()
    return threads


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:  # float-ok
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


def check_nothing_lost(database_url: str, load: Load, env: dict, cwd: Path) -> None:
    """Every acknowledged command once in the log, no negative balance, a zero trial
    balance, and `audit replay` rebuilding every view equal to the live one."""
    acknowledged = load.acknowledged
    assert not load.failures, load.failures
    assert len(set(acknowledged)) == len(acknowledged), "a requestId acknowledged twice"
    services = fresh_services(database_url)
    try:
        services.projections.catch_up()
        recorded: Counter[str] = Counter()
        for note in services.ledger.recorder.select_notifications(0, 10**9):
            if note.topic == RECORDED:
                recorded[services.ledger.mapper.to_domain_event(note).request_id] += 1
        wrong = {r: recorded[r] for r in acknowledged if recorded[r] != 1}
        assert not wrong, f"acknowledged but recorded otherwise than once: {wrong}"
        for row in [r for p in load.players for r in services.balances.for_player(p)]:
            assert all(row[k] >= 0 for k in ("cash", "bonus", "locked", "available")), row
        assert all(total == 0 for total in services.journal.trial_balance().values())
    finally:
        services.close()
    replay = run_cli(env, cwd, "audit", "replay", timeout=120)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "equal" in replay.stdout, replay.stdout
