"""How a value shows in a table cell of the console."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def cell(value: Any) -> str:
    """A value as a table cell shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        return value[:19].replace("T", " ")  # an ISO time from the API
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {cell(v)}" for k, v in value.items())
    if isinstance(value, (Decimal, date)):
        return str(value)
    return str(value)
