"""The UTC period an instant falls in, as a sortable key: "2026-01-15", "2026-W03", "2026-01".

Keys of one kind sort in time order, so "everything accrued up to period P"
is a comparison of keys.
"""

from __future__ import annotations

from datetime import datetime, timezone

KINDS = ("day", "week", "month")


def period_key(kind: str, instant: datetime) -> str:
    moment = instant.astimezone(timezone.utc)
    if kind == "day":
        return moment.strftime("%Y-%m-%d")
    if kind == "week":
        year, week, _ = moment.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if kind == "month":
        return moment.strftime("%Y-%m")
    raise ValueError(f"period kind must be one of {KINDS}")


def kind_of(key: str) -> str:
    """The kind of a period key, or ValueError if it is not one."""
    for kind, length, marker in (("day", 10, None), ("week", 8, "W"), ("month", 7, None)):
        if len(key) == length and (marker is None or key[5] == marker):
            return kind
    raise ValueError(f"{key!r} is not a period (2026-01-15, 2026-W03 or 2026-01)")
