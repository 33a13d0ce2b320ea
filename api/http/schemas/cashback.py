"""HTTP schemas of cashback and bonuses: camelCase JSON, amounts as strings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from api.http.schemas.common import Amount, Schema

CashbackStatus = Literal["calculated", "credited", "skipped"]
CASHBACK_AMOUNTS = ("totalBets", "totalWins", "bonuses", "netLoss", "base", "amount")
GRANT_AMOUNTS = ("amount", "requirement", "progress", "remaining", "settledAmount")


class CashbackRowPublic(Schema):
    """One row of the cashback log (seed 003); `id` orders the rows (the cursor)."""

    id: int
    program: str
    player_id: str
    currency: str
    period: str
    model: Literal["net_loss", "gross_bet", "realtime"]
    vip_level: str
    vip_rank: int
    tier: str | None
    percent: Amount
    total_bets: Amount
    total_wins: Amount
    bonuses: Amount
    net_loss: Amount
    base: Amount
    amount: Amount
    transaction_id: str | None
    status: CashbackStatus
    reason: str
    created_at: datetime


class CashbackPage(Schema):
    rows: list[CashbackRowPublic]
    next_cursor: str | None


class CashbackTierPublic(Schema):
    """A tier: percent of the base; `max` and `min` in USD (null max: no cap)."""

    name: str
    percent: Amount
    max: Amount | None
    min: Amount
    wagering: Amount


class CashbackProgramPublic(Schema):
    name: str
    model: Literal["net_loss", "gross_bet", "realtime"]
    period: Literal["daily", "weekly", "monthly"]
    categories: list[str] | None
    bonuses_reduce_base: bool
    tiers: list[CashbackTierPublic]
    levels: dict[str, str]
    job: str | None


class CashbackProgramsPublic(Schema):
    """The programs, and how stakes count towards wagering (weights per category)."""

    programs: list[CashbackProgramPublic]
    wagering_weights: dict[str, Amount]
    other_weight: Amount
    bonus_expiry_days: int | None


class BonusGrantPublic(Schema):
    grant_id: str
    source: str
    currency: str
    amount: Amount
    requirement: Amount
    progress: Amount
    remaining: Amount
    status: Literal["open", "completed", "expired"]
    settled_amount: Amount
    granted_at: datetime
    expires_at: datetime | None


class BonusesPublic(Schema):
    """A player's grants, newest first. Bonus money is never withdrawable: it
    becomes cash only when its grant's wagering is met."""

    player_id: str
    grants: list[BonusGrantPublic]
