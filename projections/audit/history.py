"""The log as of an instant, and a player's balances then (docs/audit.md).

Event times may go backwards along the log by a few milliseconds where writers
decided at the same moment and saved in the other order (several processes, or
threads with group commit off). The audit chain keeps each position's log time
(its stamp, or the log time before it if later), which never goes backwards, so
"the log as of T" is one prefix: every position whose log time is at or before
T, i.e. the longest prefix whose events were all stamped at or before T. The
balances as of T, `audit replay --until T` and the time-range export all use it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.audit.history import balances_at
from domain.kernel.clock import check_past
from domain.ledger import Ledger
from projections.audit.chain import AuditChainView
from projections.engine.runner import ProjectionRunner


def log_position_at(runner: ProjectionRunner, at: datetime) -> int:
    """The end of the log as of `at` (0: nothing yet), the chain caught up first."""
    runner.catch_up(["audit_chain"])
    chain: AuditChainView = runner.views["audit_chain"]  # type: ignore[assignment]
    return chain.position_at(at)


def balances_as_of(ledger: Ledger, runner: ProjectionRunner, player_id: str,
                   at: datetime) -> dict[str, Any]:
    """Every wallet of the player as of `at` (domain/audit/history.py), within the
    log as of `at`."""
    check_past(at)
    return balances_at(ledger, player_id, at, log_position_at(runner, at))
