"""HTTP schemas of players' responsible-gaming limits and VIP level."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    PlainSerializer,
)

from api.http.schemas.bets import Name
from api.http.schemas.common import CENT, Amount, AmountText, RequestSchema, Schema

# Players: responsible-gaming limits and VIP.

def _text_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 date-time string with an offset")
    return value


# An instant with its offset, kept in UTC; a number or a naive time is refused.
Instant = Annotated[AwareDatetime, BeforeValidator(_text_only),
                    AfterValidator(lambda moment: moment.astimezone(timezone.utc))]


class LimitsPut(RequestSchema):
    self_excluded_until: Instant | None
    daily_loss_limits: dict[str, AmountText]
    reason: Annotated[str, Field(max_length=500)]


class LimitsPublic(Schema):
    player_id: str
    self_excluded_until: datetime | None
    daily_loss_limits: dict[str, Amount]


class VipPut(RequestSchema):
    level: Name
    reason: Annotated[str, Field(min_length=1, max_length=500)]


# XP is USD wagered: written with (at least) cents.
Xp = Annotated[Decimal, PlainSerializer(
    lambda xp: format(xp if xp.as_tuple().exponent < -2 else xp.quantize(CENT), "f"),
    return_type=str)]


class VipPublic(Schema):
    player_id: str
    level: str
    rank: int
    xp: Xp
    next_level: str | None
    next_level_xp: Xp | None
