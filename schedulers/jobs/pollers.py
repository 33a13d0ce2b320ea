"""Pollers: actions the scheduler runs every few seconds (the chain loops).

Unlike period jobs they record no JobRun: each step records its own effects
as events (blocks scanned, withdrawals signed) and is idempotent, so a missed
or repeated tick changes nothing. A failing step heals as every loop of the
scheduler does (schedulers/jobs/healing.py): a database fault is retried with
back-off within the tick, a node down is tried again on the next tick, and
only an error that repeats on the same item reports the poller stopped there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Poller:
    name: str
    seconds: int
    action: Callable[[], Any]
