"""HTTP fixtures: the real app over the backend-parametrised services, and callers.

`client` starts the app's lifespan (so the projection thread follows the log)
against the same `services` the test can inspect. `auth(role, subject)` gives
the headers of a caller; `adjust(...)` posts a finance adjustment, the one
factory of wallet money for these tests. Game providers sign their calls:
`signed(path, body, provider=...)` posts with X-Casino-Signature, and `game`,
`place` and `settle` are the factories of games, bets and settlements.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from api.http.auth import Role
from api.bootstrap import Services
from api.config.settings import Settings
from tests.e2e.http_helpers import bet_body

Headers = dict[str, str]


@pytest.fixture
def app(services: Services) -> FastAPI:
    return create_app(services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(services: Services) -> Callable[..., Headers]:
    def headers(role: Role | str, subject: str = "someone", ttl: int | None = None,
                ) -> Headers:
        token = services.tokens.issue(Role(role), subject, ttl)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def finance(auth: Callable[..., Headers]) -> Headers:
    return auth(Role.FINANCE, "fin-alice")


@pytest.fixture
def operator(auth: Callable[..., Headers]) -> Headers:
    return auth(Role.OPERATOR, "ops-bob")


def adjustment_body(**overrides: Any) -> dict[str, Any]:
    """A valid adjustment request: 1.5 BTC credited to p1's cash."""
    body = {"requestId": "adj-1", "playerId": "p1", "currency": "BTC",
            "amount": "1.5", "balance": "cash", "reason": "goodwill"}
    body.update(overrides)
    return body


@pytest.fixture
def make_body() -> Callable[..., dict[str, Any]]:
    return adjustment_body


@pytest.fixture
def adjust(client: TestClient, finance: Headers) -> Callable[..., httpx.Response]:
    """Post an adjustment (fresh requestId unless given); fails unless it succeeds."""
    numbers = itertools.count(1)

    def post(*, expect: int = 200, **fields: Any) -> httpx.Response:
        fields.setdefault("requestId", f"adj-{next(numbers)}")
        response = client.post("/v1/admin/adjustments", json=adjustment_body(**fields),
                               headers=finance)
        assert response.status_code == expect, response.text
        return response

    return post


@pytest.fixture
def log_head(services: Services) -> Callable[[], int]:
    """The log's head once the followers are idle: after a command is
    acknowledged, the reactions append events of their own (rakeback accrual,
    cashback plays), so "nothing was appended" is judged against a settled log."""
    projections = services.projections

    def head() -> int:
        for _ in range(20):
            position = projections.head()
            if not projections.wait(position, 2) or projections.head() == position:
                return position
        return projections.head()

    return head


# Game providers: signed seamless-wallet calls.

PROVIDER_SECRETS = {"acme": "acme-secret-0123456789", "globex": "globex-secret-0123456789"}
MAX_STAKE_USDT = "1000"
UNSIGNED = object()


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The shared settings, plus two providers' secrets and a USDT stake limit."""
    config = tmp_path / "casino.toml"
    config.write_text(f'[bets]\nmax_stake = {{ USDT = "{MAX_STAKE_USDT}" }}\n')
    return settings.model_copy(update={"config": config, "provider_secrets": {
        name: SecretStr(secret) for name, secret in PROVIDER_SECRETS.items()}})


def sign(secret: str, raw: bytes) -> str:
    """X-Casino-Signature as a provider computes it (README, "Signing")."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@pytest.fixture
def signed(client: TestClient, auth: Callable[..., Headers]) -> Callable[..., httpx.Response]:
    """POST `body` as `provider`, signed with its secret (or `secret`), unless
    `signature` is given (UNSIGNED sends no header)."""

    def post(path: str, body: Any, *, provider: str = "acme", role: Role = Role.PROVIDER,
             secret: str | None = None, signature: Any = None) -> httpx.Response:
        raw = json.dumps(body).encode()
        if signature is None:
            signature = sign(secret or PROVIDER_SECRETS.get(provider, "x" * 16), raw)
        headers = {**auth(role, provider), "Content-Type": "application/json"}
        if signature is not UNSIGNED:
            headers["X-Casino-Signature"] = signature
        return client.post(path, content=raw, headers=headers)

    return post


@pytest.fixture
def game(client: TestClient, operator: Headers) -> Callable[..., dict[str, Any]]:
    """PUT a game into the catalogue (a 99% RTP slot by default); returns its body."""

    def put(game_id: str = "slot-99", **fields: Any) -> dict[str, Any]:
        body = {"rtp": "99", "category": "slots", "provider": "pragmatic",
                "houseGame": False} | fields
        response = client.put(f"/v1/admin/games/{game_id}", json=body, headers=operator)
        assert response.status_code == 200, response.text
        return response.json()

    return put


@pytest.fixture
def place(signed: Callable[..., httpx.Response]) -> Callable[..., dict[str, Any]]:
    """Place a bet (fresh requestId unless given); returns the body, ACCEPTED or not."""
    numbers = itertools.count(1)

    def post(*, provider: str = "acme", **fields: Any) -> dict[str, Any]:
        fields.setdefault("requestId", f"bet-{next(numbers)}")
        response = signed("/v1/bets/place", bet_body(**fields), provider=provider)
        assert response.status_code == 200, response.text
        return response.json()

    return post


@pytest.fixture
def settle(signed: Callable[..., httpx.Response]) -> Callable[..., httpx.Response]:
    """Settle one round: settle("r-1", (betId, "WIN", "25"), ...)."""
    numbers = itertools.count(1)

    def post(round_id: str, *bets: tuple[str, str, str], request_id: str | None = None,
             provider: str = "acme") -> httpx.Response:
        body = {"requestId": request_id or f"settle-{next(numbers)}", "roundId": round_id,
                "bets": [{"betId": b, "outcome": o, "payout": p} for b, o, p in bets]}
        return signed("/v1/rounds/settle", body, provider=provider)

    return post
