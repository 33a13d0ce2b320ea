"""The exact contract: every route declares every status it can answer.

The statuses follow from what a route reads and who may call it, so they are
derived here once rather than repeated on every decorator (a route still
declares its own: a 404 for an unknown bet, a 500 for a failed job):
- 422 everywhere: every path and query value is checked (api/http/strict_json.py);
- 401 and 403 where a bearer token is read;
- 413 and 415 where a body is read;
- 404 where a path names a resource;
- 409 on every command (requestId reuse, state that moved on, funds);
- 503 everywhere the database or a stale view can refuse (`busy`, `stale_read`).
The roles an operation admits are the bearer requirement's role names (OpenAPI
3.1 allows role names there), read from its access checks (`admits` in
api/http/deps.py); a player is admitted to their own data only.
Every one answers with ErrorPublic. Parameters are never JSON null (an absent
header is "not sent", not null), and query values carry the text rule that
api/http/strict_json.py enforces on every one of them. Values only the
configuration knows (currencies, VIP levels) are stated as enums of this app's
configuration.

A few refusals rest on state or on several fields, which no schema can state
(SEMANTIC): a request the schema allows may still be a 422 naming one of these
fields. Each operation lists the ones it can meet in `x-semantic-refusals`
(field: why; a route adds its own with `openapi_extra`), and its 422 says so;
tests/e2e/test_openapi_fuzz.py accepts a 422 on schema-valid input only when it
names one of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.http.schemas.common import CONFIGURED, ErrorPublic
from api.http.strict_json import QUERY_MAX
from domain.kernel.text import TEXT_PATTERN

DESCRIPTIONS = {
    401: "No valid bearer token (or, for a provider, no valid signature)",
    403: "The role may not do this",
    404: "No such resource",
    409: "Conflict: the requestId was used with another payload, the state moved on, "
         "or insufficient funds",
    413: "The body is larger than CASINO_LEDGER_MAX_BODY_BYTES",
    415: "The body is not Content-Type: application/json",
    422: "Invalid input: the message names the field",
    503: "The database is busy or the view is stale (`busy`, `stale_read`); retry",
}


ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorPublic"}

# Refusals of schema-valid input, by the parameter or body field they name.
SEMANTIC = {
    "X-Min-Position": "past the log's head: no write answered with that position",
    "to": "not after `from`",
    "at": "in the future",
    "period": "not a calendar day, ISO week or month, or not ended yet",
    "amount": "more decimal places than the currency has, more than the "
              "balance allows, or under the currency's minimum",
    "payout": "more decimal places than the bet's currency has",
    "bets": "the same bet twice",
    "rtp": "not a percentage between 0 and 100",
    "dailyLossLimits": "more decimal places than the currency has",
    "selfExcludedUntil": "in the past",
    "destination": "not an address of the currency's chain",
}


def statuses_of(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it reads."""
    statuses = {422, 503}
    if operation.get("security"):
        statuses |= {401, 403}
    if "requestBody" in operation:
        statuses |= {413, 415}
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        statuses.add(404)
    if method not in ("get", "head"):
        statuses.add(409)
    return statuses


def declare(app: FastAPI, configured: dict[str, list[str]]) -> None:
    """/openapi.json with every derived error status, exact parameters, the
    `configured` lists (name: values) as enums, and the semantic refusals."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in ErrorPublic.model_json_schema(
                    ref_template="#/components/schemas/{model}").pop("$defs", {}).items():
                components.setdefault(name, schema)
            components.setdefault("ErrorPublic", ErrorPublic.model_json_schema(
                ref_template="#/components/schemas/{model}"))
            _configured_enums(document, configured)
            _declare_roles(document, getattr(app.state, "routes", ()))
            for item in document.get("paths", {}).values():
                for method, operation in item.items():
                    for parameter in operation.get("parameters", []):
                        _exact_parameter(parameter)
                    _semantic_refusals(operation, components)
                    responses = operation.setdefault("responses", {})
                    for status in sorted(statuses_of(method, operation)):
                        responses.setdefault(str(status), {
                            "description": DESCRIPTIONS[status],
                            "content": {"application/json": {"schema": ERROR_SCHEMA}}})
                    refusals = operation.get("x-semantic-refusals", {})
                    responses["422"] = {"description": DESCRIPTIONS[422] + "".join(
                        f"; `{name}` {why}" for name, why in refusals.items()),
                        "content": {"application/json": {"schema": ERROR_SCHEMA}}}
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _exact_parameter(parameter: dict[str, Any]) -> None:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if options:  # `X | None = None`: absent, never null
        kept = [option for option in options if option.get("type") != "null"]
        if len(kept) == 1:
            schema.pop("anyOf")
            schema.update(kept[0])
        else:
            schema["anyOf"] = kept
    if (parameter.get("in") == "query" and schema.get("type") == "string"
            and "pattern" not in schema and "enum" not in schema
            and "format" not in schema):
        schema["pattern"] = TEXT_PATTERN
        schema.setdefault("maxLength", QUERY_MAX)


def _configured_enums(node: Any, configured: dict[str, list[str]]) -> None:
    """Every schema marked `x-configured: <name>` gets the enum of that list."""
    if isinstance(node, dict):
        name = node.get(CONFIGURED)
        if name is not None:
            node["enum"] = list(configured[name])
        for value in node.values():
            _configured_enums(value, configured)
    elif isinstance(node, list):
        for value in node:
            _configured_enums(value, configured)


def _semantic_refusals(operation: dict[str, Any], components: dict[str, Any]) -> None:
    names = {parameter["name"] for parameter in operation.get("parameters", [])}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    names |= _property_names(body.get("schema", {}), components, set())
    found = {name.lower(): name for name in names}
    refusals = {found[name.lower()]: why for name, why in SEMANTIC.items()
                if name.lower() in found}
    refusals |= operation.get("x-semantic-refusals", {})  # a route's own (openapi_extra)
    if refusals:
        operation["x-semantic-refusals"] = refusals


def _property_names(schema: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    """The property names of a body schema, nested ones included."""
    if not isinstance(schema, dict):
        return set()
    reference = schema.get("$ref")
    if reference is not None:
        name = reference.rsplit("/", 1)[-1]
        if name in seen:
            return set()
        return _property_names(components.get(name, {}), components, seen | {name})
    names = set(schema.get("properties", {}))
    for child in (*schema.get("properties", {}).values(), schema.get("items"),
                  *schema.get("anyOf", ()), *schema.get("allOf", ()), *schema.get("oneOf", ())):
        names |= _property_names(child, components, seen)
    return names


def _declare_roles(document: dict[str, Any], routes: Any) -> None:
    """Each operation's bearer requirement names the roles its checks admit."""
    for route in routes:
        checks = _checks(route.dependant)
        if not checks:
            continue
        roles = sorted(role.value for role in set.intersection(*checks))
        for method in route.methods:
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation and operation.get("security"):
                operation["security"] = [{name: roles} for requirement in
                                         operation["security"] for name in requirement]


def _checks(dependant: Any) -> list[set[Any]]:
    """The roles each access check of a route admits (a caller must pass them all)."""
    found = [set(dependant.call.roles)] if hasattr(dependant.call, "roles") else []
    for child in dependant.dependencies:
        found += _checks(child)
    return found
