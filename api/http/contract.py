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
Every one answers with ErrorPublic. Parameters are never JSON null (an absent
header is "not sent", not null), and query values carry the text rule that
api/http/strict_json.py enforces on every one of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.http.schemas.common import ErrorPublic
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


def declare(app: FastAPI) -> None:
    """/openapi.json with every derived error status and exact parameters."""

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
            for item in document.get("paths", {}).values():
                for method, operation in item.items():
                    for parameter in operation.get("parameters", []):
                        _exact_parameter(parameter)
                    responses = operation.setdefault("responses", {})
                    for status in sorted(statuses_of(method, operation)):
                        responses.setdefault(str(status), {
                            "description": DESCRIPTIONS[status],
                            "content": {"application/json": {"schema": ERROR_SCHEMA}}})
                    if "422" in responses:  # FastAPI's default names its own shape
                        responses["422"] = {"description": DESCRIPTIONS[422], "content": {
                            "application/json": {"schema": ERROR_SCHEMA}}}
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
