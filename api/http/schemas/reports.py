"""HTTP schemas of reports (P&L) and scheduled jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
)

from api.http.schemas.common import PERIOD_PATTERN, Amount, RequestSchema, Schema

# Reports.

class PnlRow(Schema):
    """One UTC day, game, provider and currency of settled bets (the P&L projection)."""

    day: date
    game_id: str
    provider: str
    currency: str
    wagered: Amount
    won: Amount
    ggr: Amount
    bonus_stake: Amount
    ngr: Amount
    bets: int


class PnlReport(Schema):
    rows: list[PnlRow]


# Scheduled jobs.

JobOutcome = Literal["running", "succeeded", "failed"]
PeriodKind = Literal["day", "week", "month"]


class JobRunCreate(RequestSchema):
    period: Annotated[str, Field(
        min_length=1, max_length=10, pattern=PERIOD_PATTERN, examples=["2026-01-15", "2026-W03", "2026-01"],
        description="A UTC day, an ISO week or a month that has ended")]


class JobRunPublic(Schema):
    """A job's record for one period: its latest attempt and how many there were."""

    job: str
    period: str
    trigger: Literal["schedule", "catch-up", "manual"]
    actor: str
    attempts: int
    outcome: JobOutcome
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any]
    last_error: str
    position: int | None = None


class JobPublic(Schema):
    name: str
    period: PeriodKind
    description: str
    next_run_at: datetime


class JobsPublic(Schema):
    jobs: list[JobPublic]
    runs: list[JobRunPublic]
