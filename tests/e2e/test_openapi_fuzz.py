"""schemathesis against the app's own /openapi.json, for every role.

Every operation is called with the examples, the coverage cases (each
boundary, each missing or wrong-typed part, every undeclared method) and
generated positive and negative input, as the roles it declares and as every
other caller; then a stateful run follows the links schemathesis infers
between operations. Every check the
installed schemathesis offers is on (CHECKS). A provider's body is signed per
request, over the bytes sent, as a provider signs (README, "Game providers").
"""

from __future__ import annotations

import itertools
import os
import re
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, CHECKS as REGISTRY
from schemathesis.core.failures import FailureGroup

from api.http.app import create_app
from api.http.auth import Role
from api.bootstrap import Services
from domain.kernel.text import is_id
from tests.e2e.conftest import PROVIDER_SECRETS, sign

EXAMPLES = int(os.environ.get("CASINO_LEDGER_FUZZ_EXAMPLES", "4"))
PROVIDER = "acme"

load_all_checks()
# Every check the installed schemathesis has, by name (`CHECKS.get_all_names()`);
# positive_data_acceptance goes through semantic_refusals_declared below.
CHECK_NAMES = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_headers_conformance", "response_schema_conformance",
               "negative_data_rejection", "positive_data_acceptance", "missing_required_header",
               "unsupported_method", "allow_header_conformance", "use_after_free",
               "ensure_resource_availability", "ignored_auth", "object_level_authorization"]
assert sorted(CHECK_NAMES) == sorted(REGISTRY.get_all_names()), REGISTRY.get_all_names()


def semantic_refusal(case: Any, response: Any) -> bool:
    """A 422 naming a field the operation declares in `x-semantic-refusals`
    (api/http/contract.py: a refusal that rests on state or on several fields)."""
    if response.status_code != 422:
        return False
    declared = {name.lower() for name in
                case.operation.definition.raw.get("x-semantic-refusals", {})}
    field = response.json()["error"]["message"].split(":", 1)[0]
    path = re.sub(r"\[\d+\]|\.\d+", "", field).split(".")  # list indices dropped
    if len(path) > 1 and path[-1].isupper():  # a key of a map such as `rates.BTC`
        path.pop()
    return path[-1].lower() in declared


def semantic_refusals_declared(ctx: Any, response: Any, case: Any) -> bool | None:
    """positive_data_acceptance, but for the refusals the operation declares."""
    if semantic_refusal(case, response):
        return None
    return positive_data_acceptance(ctx, response, case)


positive_data_acceptance = REGISTRY.get_by_names(["positive_data_acceptance"])[0]
CHECKS = [semantic_refusals_declared if name == "positive_data_acceptance"
          else REGISTRY.get_by_names([name])[0] for name in CHECK_NAMES]


class NoLifespan:
    """The app for schemathesis' ASGI client: its lifespan runs in the fixture's
    TestClient (bound to the test's services), not in schemathesis' own."""

    def __init__(self, app: FastAPI):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("no lifespan here")
        await self.app(scope, receive, send)


class Signed(requests.auth.AuthBase):
    """X-Casino-Signature over the exact body bytes of each prepared request."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        request.headers["X-Casino-Signature"] = sign(PROVIDER_SECRETS[PROVIDER], body)
        return request


@pytest.fixture
def live_app(app: FastAPI) -> Iterator[NoLifespan]:
    with TestClient(app):
        yield NoLifespan(app)


@pytest.fixture
def callers(services: Services) -> dict[str, dict[str, Any]]:
    def token(role: Role, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {services.tokens.issue(role, subject)}"}

    return {
        "player": {"headers": token(Role.PLAYER, "p1")},
        "provider": {"headers": token(Role.PROVIDER, PROVIDER), "auth": Signed()},
        "operator": {"headers": token(Role.OPERATOR, "ops-1")},
        "finance": {"headers": token(Role.FINANCE, "fin-1")},
        "compliance": {"headers": token(Role.COMPLIANCE, "comp-1")},
        "regulator": {"headers": token(Role.REGULATOR, "reg-1")},
        "anonymous": {"headers": {}},
    }


def declared_caller(case: Any, services: Services) -> dict[str, Any]:
    """A caller the operation admits by its declared roles (`security`), picked
    from the request itself, so the same request always goes as the same
    caller; a player is the player the path names."""
    security = case.operation.definition.raw.get("security") or [{}]
    admitted = next(iter(security[0].values()), [])
    if not admitted:
        return {"headers": {}}
    request = repr((case.method, case.path, case.path_parameters, case.query, case.body))
    role = Role(admitted[zlib.crc32(request.encode()) % len(admitted)])
    named = (case.path_parameters or {}).get("player_id")
    subject = {Role.PLAYER: named if is_id(named) else "p1",
               Role.PROVIDER: PROVIDER}.get(role, f"{role.value}-1")
    return {"headers": {"Authorization": f"Bearer {services.tokens.issue(role, subject)}"},
            "auth": Signed() if role is Role.PROVIDER else None}


@pytest.fixture
def turns(callers: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Every other case goes as a caller the operation admits, the others as
    each caller in turn (the six roles and an anonymous one)."""
    return itertools.cycle(
        [name for caller in callers for name in ("declared", caller)])


# The document, from an app without a ledger (its lifespan never runs); each
# case is sent to the test's own app (`app=`), which serves the same document.
schema = schemathesis.openapi.from_asgi("/openapi.json", NoLifespan(create_app()))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES,
    deterministic=True, database="none")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_every_role_meets_the_contract(case: Any, live_app: NoLifespan, services: Services,
                                       callers: dict[str, dict[str, Any]],
                                       turns: Iterator[str]) -> None:
    """Each case goes to one caller (`turns`): sending each of some hundred
    coverage cases per operation as all seven would take minutes."""
    role = next(turns)
    caller = declared_caller(case, services) if role == "declared" else callers[role]
    try:
        case.call_and_validate(headers=dict(caller["headers"]), auth=caller.get("auth"),
                               checks=CHECKS, app=live_app)
    except FailureGroup as error:
        raise AssertionError(f"as {role}: {error}") from None


def test_the_document_is_the_apps_own(live_app: NoLifespan, app: FastAPI) -> None:
    """The operations above come from an app built at import, without a ledger;
    the app under test serves the same document."""
    assert app.openapi() == schema.raw_schema


def test_linked_operations_meet_the_contract(live_app: NoLifespan, services: Services) -> None:
    """The stateful phase: chains of calls along the links schemathesis infers
    (a game put then read, a withdrawal requested then approved, rejected,
    retried or cancelled), every check on every step, so use_after_free and
    ensure_resource_availability see what one call did to the next. Each step
    goes as a caller its operation admits, the same for the same request, so
    that Hypothesis, replaying a scenario, meets the same answers (every
    command being idempotent)."""

    class Linked(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {**declared_caller(case, services), "app": live_app}

        def validate_response(self, response: Any, case: Any,
                              additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs,
                                   recorder=self.recorder)

    Linked.run(settings=settings(max_examples=EXAMPLES * 4, stateful_step_count=6,
                                 deadline=None, derandomize=True, database=None,
                                 suppress_health_check=list(HealthCheck),
                                 phases=[Phase.generate]))
