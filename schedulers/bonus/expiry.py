"""The bonus expiry job: each day, grants whose expiry has passed forfeit what is left.

Daily, after the day ends: every open grant whose `expires_at` is at or
before the day's end is expired (ExpireBonusGrant, idempotent by the grant's
status). Runs only when `[bonus] expiry_days` is set.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from domain.bonus.commands import ExpireBonusGrant
from domain.ledger import Ledger
from projections.bonus.grants import BonusGrantsView
from projections.engine.runner import ProjectionRunner
from schedulers.jobs.catalogue import Job
from domain.kernel.periods import DAY, Period


def expiry_jobs(ledger: Ledger, projections: ProjectionRunner) -> list[Job]:
    if not ledger.rules.cashback.expiry_days:
        return []
    return [Job("bonus-expiry", DAY, partial(expire, ledger, projections),
                "forfeit what is left of bonus grants that expired by the day's end")]


def expire(ledger: Ledger, projections: ProjectionRunner, period: Period) -> dict[str, Any]:
    # Wagering first: a stake settled before the expiry may still complete a grant.
    projections.catch_up(["bonus_wagering", "bonus_grants"])
    view: BonusGrantsView = projections.views["bonus_grants"]  # type: ignore[assignment]
    due = view.due(period.end)
    for grant_id in due:
        ledger.execute(ExpireBonusGrant(grant_id, period.end))
    return {"period": str(period), "expired": len(due)}
