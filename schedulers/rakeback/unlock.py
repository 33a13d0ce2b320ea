"""Rakeback unlock jobs: at each period's end, its accrued buckets become claimable.

DAILY at 00:00 UTC, WEEKLY at Monday 00:00 UTC, MONTHLY at 00:00 UTC on the
1st. A job first lets the accrual follower and the rakeback view catch up, so
every bet settled before the boundary has accrued, then unlocks each account
that holds anything in the bucket. Unlocking is idempotent per account and
period, so a job run twice, late, or after a crash changes nothing more.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from domain.ledger import Ledger
from domain.rakeback.model import PERIOD_KIND
from domain.rakeback.commands import UnlockRakeback
from projections.rakeback.views import RakebackView
from projections.engine.runner import ProjectionRunner
from schedulers.jobs.catalogue import Job
from domain.kernel.periods import Period


def unlock_jobs(ledger: Ledger, projections: ProjectionRunner) -> list[Job]:
    return [Job(f"rakeback-unlock-{bucket.lower()}", kind,
                partial(unlock, ledger, projections, bucket),
                f"make the {bucket} rakeback accrued in the period claimable")
            for bucket, kind in PERIOD_KIND.items()]


def unlock(ledger: Ledger, projections: ProjectionRunner, bucket: str,
           period: Period) -> dict[str, Any]:
    projections.catch_up(["rakeback_accrual", "rakeback"])
    view: RakebackView = projections.views["rakeback"]  # type: ignore[assignment]
    accounts = view.with_something_in(bucket)
    for player_id, currency in accounts:
        ledger.execute(UnlockRakeback(player_id, currency, bucket, str(period)))
    return {"bucket": bucket, "period": str(period), "accounts": len(accounts)}
