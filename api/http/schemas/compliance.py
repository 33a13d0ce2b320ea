"""HTTP schemas of compliance: a player's standing, its settings, and the lists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from api.http.schemas.common import (
    CONFIGURED,
    Amount,
    CurrencyCode,
    Id,
    Instant,
    NonNegativeAmountText,
    Reason,
    RequestId,
    RequestSchema,
    Schema,
    Text,
)

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["DE"])]
ProfileName = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Z0-9_]+$",
                                   examples=["VIP_A"],
                                   json_schema_extra={CONFIGURED: "limitProfiles"})]


class LimitPublic(Schema):
    limit: str
    amount: Amount | None
    pending: Amount | None
    pending_since: datetime | None


class StandingPublic(Schema):
    player_id: str
    kyc: str
    profile: str
    country: str | None
    timeout_until: datetime | None
    self_excluded_until: datetime | None
    limits: list[LimitPublic]
    review_holds: dict[str, list[str]]


class KycPut(RequestSchema):
    status: Literal["none", "basic", "verified", "enhanced"]
    evidence: Reason


class ProfilePut(RequestSchema):
    profile: ProfileName | None
    country: Country | None
    reason: Text


class RgLimitPut(RequestSchema):
    kind: Literal["deposit", "loss", "wager"]
    period: Literal["day", "week", "month"]
    currency: CurrencyCode
    amount: NonNegativeAmountText | None = Field(
        description="The limit; null removes it (a raise, so after the cooling-off)")


class TimeOutCreate(RequestSchema):
    request_id: RequestId
    hours: int = Field(ge=1, le=24 * 366)


class SelfExclusionCreate(RequestSchema):
    until: Instant
    reason: Text = ""


class KycEvent(RequestSchema):
    """A KYC provider's webhook body (verified by its HMAC before it is read)."""

    event_id: Id
    player_id: Id
    status: Literal["none", "basic", "verified", "enhanced"]
    evidence: Reason


class BlockedPublic(Schema):
    id: int
    player_id: str
    action: str
    request_id: str
    reason: str
    rule: str
    message: str
    at: datetime


class BlockedPage(Schema):
    items: list[BlockedPublic]
    counts: list[dict[str, Any]]
    next_cursor: str | None


class SignalPublic(Schema):
    id: int
    signal_id: str
    subject: str
    rule: str
    evidence: list[str]
    detail: str
    at: datetime


class SignalPage(Schema):
    items: list[SignalPublic]
    next_cursor: str | None


class DepositRelease(RequestSchema):
    reason: Reason


class DepositReleasePublic(Schema):
    deposit_id: str
    status: str
