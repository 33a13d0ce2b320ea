"""Refusals by a compliance rule: a stable reason and the rule or limit's name.

Reasons: `RG_BLOCKED` (a responsible-gaming rule: `TIME_OUT`,
`LOSS_LIMIT_WEEKLY`, ...), `KYC_LIMIT`, `PROFILE_LIMIT`, `COUNTRY_BLOCKED`,
`REVIEW_HOLD`. The ledger records each as a blocked attempt for compliance
(domain/ledger.py) before the caller sees it.
"""

from __future__ import annotations

from domain.kernel.errors import Conflict
from domain.players.model import BetRejected


class BetBlocked(BetRejected):
    """A bet refused by a compliance rule: REJECTED with the reason and rule."""

    def __init__(self, reason: str, rule: str, message: str):
        super().__init__(reason, message)
        self.rule = rule


class LimitRefused(Conflict):
    """A withdrawal or a payout refused by a compliance rule (409 `limit_refused`)."""

    code = "limit_refused"

    def __init__(self, reason: str, rule: str, message: str, player_id: str = ""):
        super().__init__(message, field="amount")
        self.reason = reason
        self.rule = rule
        self.player_id = player_id


Blocked = (BetBlocked, LimitRefused)
