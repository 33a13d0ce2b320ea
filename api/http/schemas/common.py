"""HTTP schemas shared by every resource, and the wallet's own: camelCase JSON,
amounts as strings. API schemas are not events.

Each feature keeps its schemas in a module of its own (api/http/schemas/bets.py,
player_schemas.py, report_schemas.py, rakeback_schemas.py, cashback_schemas.py,
cashier_schemas.py, audit_schemas.py) on top of these.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from fastapi import Path, Query
from pydantic.alias_generators import to_camel

from api.http.errors import ERROR_CODES
from api.http.strict_json import InvalidBody
from domain.kernel.money import DECIMAL_MAX_LENGTH, DECIMAL_PATTERN
from domain.kernel.text import ID_MAX, ID_PATTERN, TEXT_MAX, TEXT_PATTERN

# Fixed-point, never exponent form ("0.00000000", not "0E-8").
Amount = Annotated[Decimal, PlainSerializer(lambda amount: format(amount, "f"),
                                             return_type=str)]
AmountText = Annotated[str, Field(
    min_length=1, max_length=DECIMAL_MAX_LENGTH, pattern=DECIMAL_PATTERN,
    description='A decimal string such as "10.50": digits, at most one point with '
                'digits on both sides, a leading minus only where debits are allowed',
    examples=["10.50"])]
# Ids and free text: the rules of domain/text.py, stated in the schema.
Id = Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN,
                          examples=["p-1001"])]
RequestId = Annotated[str, Field(
    min_length=1, max_length=ID_MAX, pattern=ID_PATTERN, examples=["r-1"],
    description="The caller's id for this command, unique per caller and kind")]
Text = Annotated[str, Field(max_length=TEXT_MAX, pattern=TEXT_PATTERN)]
Reason = Annotated[str, Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT_PATTERN)]
# Values only the configuration knows (its currencies, its VIP levels): their
# schema names the list, and api/http/contract.py states it as an enum of the
# app's own configuration in /openapi.json.
CONFIGURED = "x-configured"
CurrencyCode = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9_]+$",
                                    examples=["USDT"],
                                    json_schema_extra={CONFIGURED: "currencies"})]
VipLevel = Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN,
                                examples=["Gold"], json_schema_extra={CONFIGURED: "vipLevels"})]
# Amounts that are not zero: an adjustment's (either sign), a funding's (positive);
# at most 20 integer digits, as domain/kernel/money.py allows.
POSITIVE_PATTERN = r"(0\.[0-9]*[1-9][0-9]*|[1-9][0-9]{0,19}(\.[0-9]+)?)"
NonZeroAmountText = Annotated[str, Field(
    min_length=1, max_length=DECIMAL_MAX_LENGTH, pattern=f"^-?{POSITIVE_PATTERN}$",
    description='A decimal string such as "10.50" or "-2", not zero', examples=["10.50"])]
NonNegativeAmountText = Annotated[str, Field(
    min_length=1, max_length=DECIMAL_MAX_LENGTH, pattern=r"^(0|[1-9][0-9]{0,19})(\.[0-9]+)?$",
    description='A decimal string such as "10.50", zero or more', examples=["10.50"])]
PositiveAmountText = Annotated[str, Field(
    min_length=1, max_length=DECIMAL_MAX_LENGTH, pattern=f"^{POSITIVE_PATTERN}$",
    description='A decimal string such as "10.50", more than zero', examples=["10.50"])]
# An instant in a query, read by domain/kernel/clock.py's parse_instant (whose
# messages say what is missing); the schema states its format.
INSTANT_QUERY = {"format": "date-time", "examples": ["2026-01-15T00:00:00Z"]}
# A period's syntax (domain/kernel/periods.py): a day, an ISO week or a month;
# whether it is a real one (2026-02-30) is the domain's to say.
PERIOD_PATTERN = r"^[0-9]{4}-(W[0-9]{2}|[0-9]{2}(-[0-9]{2})?)$"
PeriodQuery = Annotated[str | None, Query(pattern=PERIOD_PATTERN,
                                          examples=["2026-01-15", "2026-W03", "2026-01"])]
# A `playerId` filter: an id, as every player id is.
PlayerIdQuery = Annotated[str | None, Query(alias="playerId", min_length=1, max_length=ID_MAX,
                                            pattern=ID_PATTERN)]
# Page cursors, as `nextCursor` gives them: a log position, or `position-leg`.
PositionCursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$",
                                             description="`nextCursor` of the page before")]
LedgerCursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,18}-[0-9]{1,9}$",
                                           description="`nextCursor` of the page before")]
# Path parameters: every one is an id (api/http/strict_json.py checks them all),
# declared once here so /openapi.json states the rule on every route.
PathId = Annotated[str, Path(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN,
                             examples=["p-1001"])]
# A rakeback flip: `{playerId}:{currency}:{nonce}`, and as a whole an id.
FLIP_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+#=~-]{0,100}:[A-Z0-9_]{1,16}:[0-9]{1,9}$"
FlipIdPath = Annotated[str, Path(min_length=5, max_length=ID_MAX, pattern=FLIP_ID_PATTERN,
                                 examples=["p-1001:USDT:0"])]
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_text(value: object) -> object:
    if not isinstance(value, str) or ISO_INSTANT.match(value) is None:
        raise ValueError("must be an ISO-8601 date-time string with an offset, "
                         "such as 2026-01-15T00:00:00Z")
    return value


# An instant with its offset, kept in UTC; a number, a naive time or a bare
# count of seconds is refused.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text),
                    AfterValidator(lambda moment: moment.astimezone(timezone.utc))]
CENT = Decimal("0.01")


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class RequestSchema(Schema):
    """A request body: a JSON object; unknown fields are refused, not ignored.

    FastAPI validates a body with `from_attributes`, so a body model whose
    fields all have defaults would read any object (a JSON string, a body the
    strict reader refused) as `{}`: only a mapping is taken here.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if isinstance(data, InvalidBody):
            raise ValueError(data.message)
        if not isinstance(data, (dict, BaseModel)):
            raise ValueError("the body must be a JSON object")
        return data


class ErrorBody(Schema):
    code: Literal[tuple(ERROR_CODES)]  # type: ignore[valid-type]
    message: str
    # limit_refused only: the compliance reason and rule (docs/compliance.md).
    reason: str | None = None
    rule: str | None = None


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
    player_id: Id
    currency: CurrencyCode
    amount: NonZeroAmountText
    balance: Literal["cash", "bonus"]
    reason: Reason


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
    retries: int  # failures retried (database faults, or an error until it repeats)


class LoopStatus(Schema):
    """A loop of the scheduler in this process: the schedule or a chain poller."""

    name: str
    error: str | None  # "stopped at <item>: ..." while the same error repeats there
    retries: int


class Health(Schema):
    status: Literal["ok", "degraded"]
    head: int
    projections: list[ProjectionStatus]
    loops: list[LoopStatus]
