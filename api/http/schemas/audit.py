"""HTTP schemas of the audit endpoints (docs/audit.md): camelCase, amounts as strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from api.http.schemas.common import BalancePublic, Instant, RequestId, RequestSchema, Schema


class HistoricBalancePublic(BalancePublic):
    """One wallet as it was: its version then, and that event's log position and time."""

    version: int
    position: int
    updated_at: datetime


class HistoricBalancesPublic(Schema):
    player_id: str
    at: datetime
    position: int  # the player's last wallet event at or before `at` (0: none)
    log_position: int  # the log's last event at or before `at`, of any aggregate
    balances: list[HistoricBalancePublic]


class ReplayCreate(RequestSchema):
    request_id: RequestId
    until: Instant | None = None


Verdict = Literal["running", "equal", "different", "incomplete", "rebuilt", "failed"]


class ReplayPublic(Schema):
    replay_id: str
    request_id: str
    actor: str
    until: datetime | None
    requested_at: datetime
    finished_at: datetime | None
    verdict: Verdict
    position: int | None
    differences: int
    summary: dict[str, Any]
    error: str


class AuditedActionPublic(Schema):
    position: int
    at: datetime
    kind: str
    actor: str
    player_id: str | None
    currency: str | None
    subject: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str


class AuditedActionPage(Schema):
    entries: list[AuditedActionPublic]
    next_cursor: str | None

