"""HTTP schemas of players' responsible-gaming limits and VIP level."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

from api.http.schemas.common import (
    CENT,
    Amount,
    CurrencyCode,
    Instant,
    NonNegativeAmountText,
    Reason,
    RequestSchema,
    Schema,
    Text,
    VipLevel,
)

# Players: responsible-gaming limits and VIP.

class LimitsPut(RequestSchema):
    self_excluded_until: Instant | None
    daily_loss_limits: dict[CurrencyCode, NonNegativeAmountText]
    reason: Text


class LimitsPublic(Schema):
    player_id: str
    self_excluded_until: datetime | None
    daily_loss_limits: dict[str, Amount]


class VipPut(RequestSchema):
    level: VipLevel
    reason: Reason


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
