"""HTTP schemas of the seamless wallet (game providers) and the game catalogue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
)

from api.http.schemas.common import (
    Amount,
    AmountText,
    POSITIVE_PATTERN,
    Id,
    RequestId,
    RequestSchema,
    Schema,
    Text,
)
from domain.kernel.errors import InvalidInput
from domain.kernel.money import DECIMAL_MAX_LENGTH, DECIMAL_PATTERN, parse_decimal

# Seamless wallet (game providers).

Outcome = Literal["WIN", "LOSS", "PUSH", "VOID"]
BET_AMOUNTS = ("hold", "cashPart", "bonusPart", "balanceAfter", "cashAfter",
               "bonusAfter", "payout", "amount", "stake")
Name = Id


def _decimal_text(text: object) -> Decimal:
    """A decimal string, for numbers whose currency only the domain knows (a
    payout is in its bet's currency) or that are not money (an RTP); the domain
    then checks precision, sign and finiteness. A JSON number is refused.
    """
    try:
        return parse_decimal(text, "value")
    except InvalidInput:
        raise ValueError(f'{text!r} is not a decimal string such as "10.50"') from None


DecimalText = Annotated[Decimal, PlainValidator(_decimal_text), WithJsonSchema(
    {"type": "string", "minLength": 1, "maxLength": DECIMAL_MAX_LENGTH,
     "pattern": DECIMAL_PATTERN, "description": 'A decimal string such as "96.5"',
     "examples": ["96.5"]}, mode="validation")]


PositiveDecimalText = Annotated[Decimal, PlainValidator(_decimal_text), WithJsonSchema(
    {"type": "string", "minLength": 1, "maxLength": DECIMAL_MAX_LENGTH,
     "pattern": f"^{POSITIVE_PATTERN}$", "description": 'A decimal string more than zero',
     "examples": ["60000.00"]}, mode="validation")]


# A stake the ledger cannot read is an answer, not an error: 200 REJECTED with
# INVALID_AMOUNT, as the seamless-wallet contract wants; so the schema leaves
# its syntax (the one of AmountText) to the domain.
StakeText = Annotated[str, Field(max_length=64, examples=["10.50"], description=(
    'A decimal string such as "10.50" (the syntax of every amount); any other '
    "string is REJECTED with INVALID_AMOUNT"))]


# Nor does it state the configured currencies: an unknown one is REJECTED too.
StakeCurrency = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9_]+$",
                                     examples=["USDT"])]


class Stake(RequestSchema):
    amount: StakeText
    currency: StakeCurrency


class BetPlace(RequestSchema):
    request_id: RequestId
    player_id: Name
    game_id: Name
    round_id: Name
    stake: Stake
    country: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$", examples=["DE"],
                                         description="Where the player is (ISO 3166-1 "
                                         "alpha-2), checked against blocked countries")] = None


class BetAccepted(Schema):
    status: Literal["ACCEPTED"]
    bet_id: str
    currency: str
    hold: Amount
    cash_part: Amount
    bonus_part: Amount
    balance_after: Amount
    cash_after: Amount
    bonus_after: Amount
    position: int | None


class BetRejectedPublic(Schema):
    """A refused bet (HTTP 200): nothing was held, nothing changed."""

    status: Literal["REJECTED"]
    reason: Literal["UNKNOWN_GAME", "UNKNOWN_CURRENCY", "INVALID_AMOUNT", "MAX_STAKE",
                    "SELF_EXCLUDED", "DAILY_LOSS_LIMIT", "INSUFFICIENT_FUNDS",
                    # Compliance (docs/compliance.md), with the rule or limit in `rule`.
                    "RG_BLOCKED", "KYC_LIMIT", "PROFILE_LIMIT", "COUNTRY_BLOCKED"]
    rule: str | None = None
    message: str


class BetOutcomeIn(RequestSchema):
    bet_id: Name
    outcome: Outcome
    payout: DecimalText


class RoundSettle(RequestSchema):
    request_id: RequestId
    round_id: Name
    bets: Annotated[list[BetOutcomeIn], Field(min_length=1, max_length=1000)]


class WalletAfter(Schema):
    """A bet's wallet after the command: free cash plus free bonus, and each."""

    bet_id: str
    currency: str
    balance_after: Amount
    cash_after: Amount
    bonus_after: Amount


class BetSettled(WalletAfter):
    outcome: Outcome
    payout: Amount


class RoundSettled(Schema):
    round_id: str
    bets: list[BetSettled]
    position: int | None


class BetRefund(RequestSchema):
    request_id: RequestId
    reason: Text = ""


class BetRollback(RequestSchema):
    request_id: RequestId


class BetRefunded(WalletAfter):
    status: str
    amount: Amount
    position: int | None


class BetRolledBack(WalletAfter):
    status: str
    position: int | None


class BetPublic(Schema):
    """A bet in a player's history (the bets projection)."""

    bet_id: str
    player_id: str
    provider: str
    game_id: str
    round_id: str
    currency: str
    stake: Amount
    cash_part: Amount
    bonus_part: Amount
    status: str
    outcome: Outcome | None
    payout: Amount
    rtp: Amount
    category: str
    game_provider: str
    house_game: bool
    placed_at: datetime
    settled_at: datetime | None


class BetPage(Schema):
    bets: list[BetPublic]
    next_cursor: str | None


# The game catalogue.

class GamePut(RequestSchema):
    rtp: DecimalText
    category: Name
    provider: Name
    house_game: StrictBool


class GamePublic(Schema):
    game_id: str
    rtp: Amount
    category: str
    provider: str
    house_game: bool
    version: int
