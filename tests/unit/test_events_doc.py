"""docs/events.md is the catalogue of public events: an entry for every event
type, a type for every entry, and the fields the code records, each typed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from domain.kernel.public_events import (
    BOOKKEEPING,
    camel,
    catalogue,
    public_event,
    public_names,
)
from tests.fixtures.legacy_log import decoded_events

DOC = Path(__file__).parents[2] / "docs" / "events.md"
ENTRY = re.compile(r"^### (\S+) v(\d+)$")
ROW = re.compile(r"^\| (\w+) \| ([^|]+?) \| ([^|]+?) \|$")
TYPES = {"str": "string", "int": "integer", "bool": "boolean", "Decimal": "decimal",
         "datetime": "time", "Any": "time", "dict": "object", "list": "array"}


def entries() -> dict[tuple[str, int], dict[str, str]]:
    """(name, version) -> {field: type}, as the page lists them."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    fields: dict[str, str] = {}
    for line in DOC.read_text().splitlines():
        if heading := ENTRY.match(line):
            fields = found.setdefault((heading[1], int(heading[2])), {})
        elif (row := ROW.match(line)) and row[1] != "field" and found:
            fields[row[1]] = row[2]
    return found


def json_type(annotation: Any) -> str:
    """The page's type of a field, from the event class's annotation."""
    text = str(annotation)
    nullable = text.endswith(" | None")
    base = TYPES[text.removesuffix(" | None").split("[")[0]]
    return base + (" or null" if nullable else "")


def fields_of(cls: type) -> dict[str, str]:
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    return {camel(name): json_type(a) for name, a in annotations.items()
            if name not in BOOKKEEPING and not str(a).startswith("ClassVar")}


def test_every_event_type_has_an_entry_and_every_entry_a_type():
    documented = {name: version for name, version in entries()}
    assert documented == public_names()


def test_every_entry_lists_the_fields_of_its_event_with_their_types():
    documented = entries()
    for cls, key in catalogue().items():
        assert documented[key] == fields_of(cls), key


def test_the_payloads_of_an_old_log_hold_the_documented_fields():
    documented = {name: fields for (name, _), fields in entries().items()}
    for event in decoded_events():
        found = public_event(event)
        assert set(found.payload) == set(documented[found.name]), found.name
