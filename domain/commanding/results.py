"""Typed command results, and how a Request record keeps them.

A command returns a frozen dataclass in its context's own terms (snake_case,
Decimal amounts); the HTTP layer maps it to its schema. A Request record keeps
the result as `{"type": <chosen name>, "value": {<field>: <plain value>}}`:
field names as the dataclass has them, amounts and times as text, nested
results and lists as plain JSON. Renaming an API field changes nothing stored;
renaming a result field is a change of the log (keep the old name readable).

`result_from` rebuilds the same typed value when a request is repeated.
Results recorded before they were typed (dicts keyed by HTTP field names) are
read once, here, through the readers domain/legacy_results.py registers.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints
from uuid import UUID

T = TypeVar("T")

RESULT_TYPES: dict[str, type] = {}
# A kind's family (the kind before any `:provider`) -> a reader of its old dicts.
LEGACY_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {}


def command_result(name: str) -> Callable[[type[T]], type[T]]:
    """Register a result dataclass under the name its Request records carry."""
    def register(cls: type[T]) -> type[T]:
        if RESULT_TYPES.setdefault(name, cls) is not cls:
            raise ValueError(f"result type {name!r} is taken")
        cls.result_name = name  # type: ignore[attr-defined]
        return cls
    return register


def stored_result(result: Any) -> dict[str, Any]:
    """A typed result as its Request record keeps it; anything else (a dict keyed
    by HTTP names, as results were before) is refused."""
    name = getattr(type(result), "result_name", None)
    if name is None:
        raise TypeError(f"a command returned {type(result).__name__}, not a result "
                        "registered with command_result")
    return {"type": name, "value": _plain(result)}


def result_from(stored: dict[str, Any], kind: str) -> Any:
    """The typed result a Request record keeps (or kept, before results were typed)."""
    if set(stored) == {"type", "value"} and stored["type"] in RESULT_TYPES:
        return rebuilt(RESULT_TYPES[stored["type"]], stored["value"])
    return LEGACY_READERS[kind.split(":")[0]](stored)


def rebuilt(cls: type[T], data: dict[str, Any]) -> T:
    """A result dataclass from its plain fields (extra keys are ignored)."""
    hints = _hints(cls)
    return cls(**{f.name: _typed(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})  # type: ignore[arg-type]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, UUID)):
        return value.isoformat() if isinstance(value, datetime) else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _typed(hint: Any, value: Any) -> Any:
    """A plain value back in the type its field declares."""
    origin, args = get_origin(hint), get_args(hint)
    if value is None:
        return None
    if origin in (Union, types.UnionType):
        return _typed(next(a for a in args if a is not type(None)), value)
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value)
    if origin is list:
        return [_typed(args[0], v) for v in value]
    if origin is dict:
        return {k: _typed(args[1], v) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return rebuilt(hint, value)  # type: ignore[arg-type]
    if hint is Decimal:
        return Decimal(str(value))
    if hint is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
