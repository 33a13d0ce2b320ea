"""HTTP schemas of brands, personal data (profiles) and the rewards feed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field

from api.http.schemas.common import CONFIGURED, Amount, Reason, RequestSchema, Schema, Text

BrandName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", examples=["default"],
                                 json_schema_extra={CONFIGURED: "brands"})]


def _date_text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 date string, such as 1990-04-01")
    return value


# A calendar date written as text (a number is refused, not read as seconds).
DateText = Annotated[date, BeforeValidator(_date_text)]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]


class BrandPut(RequestSchema):
    brand: BrandName


class BrandPublic(Schema):
    player_id: str
    brand: str
    company: str


class ProfilePut(RequestSchema):
    name: Annotated[Text, Field(min_length=1)]
    email: Email
    date_of_birth: DateText
    country: Country
    address: Annotated[Text, Field(min_length=1)]


class ProfileFields(Schema):
    name: str
    email: str
    date_of_birth: date
    country: str
    address: str


class ProfilePublic(Schema):
    player_id: str
    erased: bool
    profile: ProfileFields | None  # null once erased
    updated_at: datetime | None = None


class ErasurePost(RequestSchema):
    reason: Reason


class RewardPublic(Schema):
    position: int
    player_id: str
    currency: str
    reward_type: str
    amount: Amount
    balance: str
    source: str
    outcome: str | None
    occurred_at: datetime


class RewardPage(Schema):
    items: list[RewardPublic]
    next_cursor: str | None
