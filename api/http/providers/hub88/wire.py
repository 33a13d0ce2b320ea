"""Hub88's wire format: request bodies, amounts and response statuses.

Amounts are 64-bit integers of 1/100,000 of a unit ($3.56 is 356000); an
amount finer than its currency's precision is refused (RS_ERROR_WRONG_TYPES),
and a balance is shown rounded down, never more than the player has. A body
that is not JSON or lacks a required field is RS_ERROR_WRONG_SYNTAX, a field
of the wrong type RS_ERROR_WRONG_TYPES. Fields Hub88 adds over time are
ignored. See docs/providers.md for the pages these follow.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.players.model import BetRejected

UNITS = 100_000
Units = Annotated[int, Field(ge=0, le=2**63 - 1)]
Uuid = Annotated[str, Field(min_length=1, max_length=200)]
Token = Annotated[str, Field(min_length=1, max_length=2000)]

OK = "RS_OK"
UNKNOWN = "RS_ERROR_UNKNOWN"
INVALID_TOKEN = "RS_ERROR_INVALID_TOKEN"
TOKEN_EXPIRED = "RS_ERROR_TOKEN_EXPIRED"
INVALID_SIGNATURE = "RS_ERROR_INVALID_SIGNATURE"
WRONG_CURRENCY = "RS_ERROR_WRONG_CURRENCY"
WRONG_SYNTAX = "RS_ERROR_WRONG_SYNTAX"
WRONG_TYPES = "RS_ERROR_WRONG_TYPES"
NOT_ENOUGH_MONEY = "RS_ERROR_NOT_ENOUGH_MONEY"
DUPLICATE = "RS_ERROR_DUPLICATE_TRANSACTION"
DOES_NOT_EXIST = "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"

# A refused bet's reason (domain/players/model.py BetRejected) as Hub88 reads it.
REJECTIONS = {
    "INSUFFICIENT_FUNDS": NOT_ENOUGH_MONEY,
    "SELF_EXCLUDED": "RS_ERROR_USER_DISABLED",
    "DAILY_LOSS_LIMIT": "RS_ERROR_LIMIT_REACHED",
    "MAX_STAKE": "RS_ERROR_LIMIT_REACHED",
    "UNKNOWN_GAME": "RS_ERROR_INVALID_GAME",
    "UNKNOWN_CURRENCY": WRONG_CURRENCY,
    "INVALID_AMOUNT": WRONG_TYPES,
    "ROLLED_BACK": UNKNOWN,
    "RG_BLOCKED": "RS_ERROR_USER_DISABLED",
    "KYC_LIMIT": "RS_ERROR_LIMIT_REACHED",
    "PROFILE_LIMIT": "RS_ERROR_LIMIT_REACHED",
    "COUNTRY_BLOCKED": "RS_ERROR_USER_DISABLED",
}


class Hub88Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    request_uuid: Uuid


class UserIn(Hub88Request):
    user: Uuid


class SessionIn(UserIn):
    token: Token


class TransactionIn(SessionIn):
    transaction_uuid: Uuid
    round: Uuid
    game_code: Uuid
    round_closed: bool = False


class BetIn(TransactionIn):
    currency: Annotated[str, Field(min_length=1, max_length=16)]
    amount: Units
    is_free: bool = False
    reward_uuid: Uuid | None = None


class WinIn(BetIn):
    reference_transaction_uuid: Uuid | None = None


class RollbackIn(TransactionIn):
    reference_transaction_uuid: Uuid


class Malformed(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


def parse(schema: type[Hub88Request], raw: bytes) -> Any:
    """The body as `schema`, or Malformed with the status Hub88 expects."""
    try:
        return schema.model_validate_json(raw)
    except ValidationError as error:
        kinds = {e["type"] for e in error.errors()}
        if kinds & {"json_invalid", "missing", "model_type"}:
            raise Malformed(WRONG_SYNTAX, str(error)) from None
        raise Malformed(WRONG_TYPES, str(error)) from None


def amount_of(units: int) -> Decimal:
    return Decimal(units).scaleb(-5)


def units_of(amount: Decimal) -> int:
    return int((amount * UNITS).to_integral_value(rounding=ROUND_DOWN))


def status_of(error: DomainError) -> str:
    """The Hub88 status of a refusal of the ledger."""
    if isinstance(error, BetRejected):
        return REJECTIONS.get(error.reason, UNKNOWN)
    if isinstance(error, Conflict) and error.field == "requestId":
        return DUPLICATE  # the transaction_uuid ran before with other content
    if isinstance(error, NotFound):
        return DOES_NOT_EXIST
    if isinstance(error, InvalidInput):
        return WRONG_CURRENCY if error.field == "currency" else WRONG_TYPES
    return UNKNOWN
