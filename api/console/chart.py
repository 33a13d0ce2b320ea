"""Totals of P&L rows by one key, and an inline SVG bar chart of them (no script)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

FIGURES = ("wagered", "won", "ggr", "bonusStake", "ngr")
WIDTH, HEIGHT, PAD = 640, 220, 24


def totals(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows summed by `key` (day, gameId or provider) and currency."""
    summed: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {f: Decimal(0) for f in FIGURES} | {"bets": 0})
    for row in rows:
        group = summed[(str(row[key]), row["currency"])]
        for figure in FIGURES:
            group[figure] += Decimal(row[figure])
        group["bets"] += row["bets"]
    return [{"key": k, "currency": c, **v} for (k, c), v in sorted(summed.items())]


def bars(points: list[tuple[str, Decimal]]) -> dict[str, Any]:
    """Bars of (label, value) around a zero line, scaled to the largest magnitude."""
    top = max((abs(v) for _, v in points), default=Decimal(0)) or Decimal(1)
    zero = HEIGHT / 2 if any(v < 0 for _, v in points) else HEIGHT - PAD
    room = zero - PAD / 2
    step = (WIDTH - PAD) / max(len(points), 1)
    every = -(-len(points) // 8)  # at most 8 labels, so they never overlap
    shapes = []
    for i, (label, value) in enumerate(points):
        height = float(abs(value) / top) * room  # float-ok: SVG pixels, not money
        shapes.append({"x": PAD + i * step + step * 0.15, "width": step * 0.7,
                       "y": zero - height if value >= 0 else zero, "height": height,
                       "negative": value < 0, "label": label, "value": value,
                       "labelled": i % every == 0})
    return {"width": WIDTH, "height": HEIGHT, "zero": zero, "bars": shapes}
