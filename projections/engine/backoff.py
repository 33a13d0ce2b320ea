"""Back-off for work that waits on something away or busy: a database that
restarts (projections/engine/trouble.py), a broker that is down (the relay)."""

from __future__ import annotations

FIRST_PAUSE, LONGEST_PAUSE = 0.05, 5.0  # float-ok: seconds


def pause_after(attempts: int, *, first: float = FIRST_PAUSE,  # float-ok: seconds
                longest: float = LONGEST_PAUSE) -> float:  # float-ok: seconds
    """The pause after the `attempts`-th failure in a row (1, 2, ...): `first`,
    doubling up to `longest`."""
    return min(first * 2 ** (max(attempts, 1) - 1), longest)
