"""HTTP fixtures: the real app over the backend-parametrised services, and callers.

`client` starts the app's lifespan (so the projection thread follows the log)
against the same `services` the test can inspect. `auth(role, subject)` gives
the headers of a caller; `adjust(...)` posts a finance adjustment, the one
factory of wallet money for these tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Role
from api.bootstrap import Services

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
    return services.projections.head
