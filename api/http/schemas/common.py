"""HTTP schemas shared by every resource, and the wallet's own: camelCase JSON,
amounts as strings. API schemas are not events.

Each feature keeps its schemas in a module of its own (api/http/schemas/bets.py,
player_schemas.py, report_schemas.py, rakeback_schemas.py, cashback_schemas.py,
cashier_schemas.py, audit_schemas.py) on top of these.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
)
from pydantic.alias_generators import to_camel

# Fixed-point, never exponent form ("0.00000000", not "0E-8").
Amount = Annotated[Decimal, PlainSerializer(lambda amount: format(amount, "f"),
                                             return_type=str)]
AmountText = Annotated[str, Field(description='A decimal string such as "10.50"',
                                  examples=["10.50"])]
RequestId = Annotated[str, Field(min_length=1, max_length=200)]
CENT = Decimal("0.01")


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class RequestSchema(Schema):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(Schema):
    code: str
    message: str


class ErrorPublic(Schema):
    error: ErrorBody


BALANCE_AMOUNTS = ("cash", "bonus", "locked", "bonusLocked", "available")
ENTRY_AMOUNTS = ("amount", "balanceAfter")


class BalancePublic(Schema):
    player_id: str
    currency: str
    cash: Amount
    bonus: Amount
    locked: Amount
    bonus_locked: Amount
    available: Amount


class BalancesPublic(Schema):
    player_id: str
    balances: list[BalancePublic]


class LedgerEntryPublic(Schema):
    position: int
    leg: int
    currency: str
    pocket: str
    amount: Amount
    balance_after: Amount
    type: str
    reference: str
    request_id: str
    occurred_at: datetime


class LedgerPage(Schema):
    entries: list[LedgerEntryPublic]
    next_cursor: str | None


class AdjustmentCreate(RequestSchema):
    request_id: RequestId
    player_id: Annotated[str, Field(min_length=1, max_length=200)]
    currency: str
    amount: AmountText
    balance: Literal["cash", "bonus"]
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class AdjustmentPublic(Schema):
    request_id: str
    balance: BalancePublic
    position: int | None


class ProjectionStatus(Schema):
    name: str
    position: int
    head: int
    lag: int
    error: str | None


class Health(Schema):
    status: Literal["ok", "degraded"]
    head: int
    projections: list[ProjectionStatus]
