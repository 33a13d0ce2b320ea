"""Pollers: actions the scheduler runs every few seconds (the chain loops).

Unlike period jobs they record no JobRun: each step records its own effects
as events (blocks scanned, withdrawals signed) and is idempotent, so a missed
or repeated tick changes nothing. A failing step (a node down) is logged and
tried again on the next tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Poller:
    name: str
    seconds: int
    action: Callable[[], Any]

    def run(self) -> None:
        try:
            self.action()
        except Exception:
            log.exception("poller %s failed; retrying in %ss", self.name, self.seconds)
