"""Splitting an amount by weights so that no unit is lost (largest remainder)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal


def ratio_split(total: Decimal, weights: Sequence[Decimal], quantum: Decimal,
                ) -> list[Decimal]:
    """Parts of `total` in proportion to `weights`, each a multiple of `quantum`.

    Every part is first rounded down; the units left over go one each to the
    parts with the largest remainders (ties to the later part, so the longest
    bucket gets them). The parts always sum to `total` exactly.
    """
    if total != total.quantize(quantum):
        raise ValueError(f"{total} is not a multiple of {quantum}")
    weight_sum = sum(weights, Decimal(0))
    exact = [total * w / weight_sum for w in weights]
    parts = [e.quantize(quantum, rounding=ROUND_DOWN) for e in exact]
    leftover = int((total - sum(parts, Decimal(0))) / quantum)
    by_remainder = sorted(range(len(parts)), key=lambda i: (exact[i] - parts[i], i),
                          reverse=True)
    for index in by_remainder[:leftover]:
        parts[index] += quantum
    return parts
