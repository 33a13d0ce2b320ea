"""How a value shows in a table cell of the console."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

AMOUNT = re.compile(r"-?\d+\.\d{3,}")


def cell(value: Any) -> str:
    """A value as a table cell shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        return value[:19].replace("T", " ")  # an ISO time from the API
    if isinstance(value, Decimal):
        value = format(value, "f")
    if isinstance(value, str) and AMOUNT.fullmatch(value):
        return trimmed(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {cell(v)}" for k, v in value.items())
    return str(value)


def trimmed(amount: str) -> str:
    """An amount at its currency's precision (18 places for ETH) without the
    zeros past the second decimal place: 50.000000000000000000 shows as 50.00."""
    whole, decimals = amount.split(".")
    return f"{whole}.{decimals.rstrip('0').ljust(2, '0')}"
