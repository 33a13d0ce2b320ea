"""Request bodies and parameters read strictly, before anything is decided.

Python's json module takes a byte-order mark, duplicate keys (the last one
wins), NaN and Infinity, lone surrogates and `\\u0000` escapes. A signed
provider body with a duplicate key would mean one thing to the ledger and
another to a reader that keeps the first; a NUL would be written to the log and
stop every PostgreSQL view. So a body is UTF-8 without a BOM, one JSON value
with unique keys, at most MAX_DEPTH deep, and its strings hold no character
that domain/text.py refuses. Path parameters are ids; query values are text.

A bad body is not refused while it is read: FastAPI reads bodies before it
checks the caller, and a stranger should meet the 401 or 403 first. The body
becomes an `InvalidBody`, which fails validation after the dependencies ran,
and the error handler (api/errors.py) answers with its message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from domain.kernel.errors import InvalidInput
from domain.kernel.text import check_id, check_text, refused_character

MAX_DEPTH = 32
QUERY_MAX = 2000


class InvalidBody:
    """A body that is not one strict JSON value, and why.

    Not a dataclass: pydantic reads a dataclass's fields as an object's, so a
    body model whose fields all have defaults would take an InvalidBody as `{}`.
    """

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


class _Refused(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Refused(f"body: the key {key!r} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise _Refused(f"body: {name} is not JSON")


def _walk(value: Any, path: str, depth: int) -> None:
    """Refuse nesting past MAX_DEPTH and strings (keys too) that may not be stored."""
    if depth > MAX_DEPTH:
        raise _Refused(f"{path or 'body'}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        char = refused_character(value)
        if char is not None:
            raise _Refused(f"{path or 'body'}: the character U+{ord(char):04X} is not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, path or "body", depth + 1)
            _walk(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path or 'body'}[{index}]", depth + 1)


def parse_body(raw: bytes) -> Any:
    """The body's JSON value, or an InvalidBody saying what is wrong with it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return InvalidBody("body: UTF-8 without a byte-order mark is expected")
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
        _walk(value, "", 0)
    except UnicodeDecodeError:
        return InvalidBody("body: not valid UTF-8")
    except _Refused as error:
        return InvalidBody(str(error))
    except RecursionError:
        return InvalidBody(f"body: nested deeper than {MAX_DEPTH} levels")
    except json.JSONDecodeError as error:
        return InvalidBody(f"body: not JSON ({error.msg} at character {error.pos})")
    return value


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_body(await self.body())
        return self._json


def check_parameters(request: Request) -> None:
    """Path parameters are ids, query values plain bounded text; else a 422."""
    try:
        for name, value in request.path_params.items():
            check_id(value, name)
        for name, value in request.query_params.multi_items():
            check_text(value, name, max_length=QUERY_MAX)
    except InvalidInput as error:
        raise RequestValidationError([{
            "type": "value_error", "loc": (error.field,),
            "msg": error.message.removeprefix(f"{error.field}: "), "input": None}]) from None


class StrictJsonRoute(APIRoute):
    """Every route's request goes through the strict reader and the parameter check."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            check_parameters(request)
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
