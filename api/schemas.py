"""HTTP schemas: camelCase JSON, amounts as strings. API schemas are not events."""

from __future__ import annotations

from datetime import date, datetime, timezone
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
    PlainValidator,
    StrictBool,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel

from domain.errors import InvalidInput
from domain.money import parse_decimal

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


# Seamless wallet (game providers).

Outcome = Literal["WIN", "LOSS", "PUSH", "VOID"]
BET_AMOUNTS = ("hold", "cashPart", "bonusPart", "balanceAfter", "cashAfter",
               "bonusAfter", "payout", "amount", "stake")
Name = Annotated[str, Field(min_length=1, max_length=200)]


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
    {"type": "string", "description": 'A decimal string such as "96.5"',
     "examples": ["96.5"]}, mode="validation")]


class Stake(RequestSchema):
    amount: AmountText
    currency: str


class BetPlace(RequestSchema):
    request_id: RequestId
    player_id: Name
    game_id: Name
    round_id: Name
    stake: Stake


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
                    "SELF_EXCLUDED", "DAILY_LOSS_LIMIT", "INSUFFICIENT_FUNDS"]
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
    reason: Annotated[str, Field(max_length=500)] = ""


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


# Reports.

class PnlRow(Schema):
    """One UTC day, game, provider and currency of settled bets (the P&L projection)."""

    day: date
    game_id: str
    provider: str
    currency: str
    wagered: Amount
    won: Amount
    ggr: Amount
    bonus_stake: Amount
    ngr: Amount
    bets: int


class PnlReport(Schema):
    rows: list[PnlRow]


# Scheduled jobs.

JobOutcome = Literal["running", "succeeded", "failed"]
PeriodKind = Literal["day", "week", "month"]


class JobRunCreate(RequestSchema):
    period: Annotated[str, Field(
        min_length=1, max_length=10, examples=["2026-01-15", "2026-W03", "2026-01"],
        description="A UTC day, an ISO week or a month that has ended")]


class JobRunPublic(Schema):
    """A job's record for one period: its latest attempt and how many there were."""

    job: str
    period: str
    trigger: Literal["schedule", "catch-up", "manual"]
    actor: str
    attempts: int
    outcome: JobOutcome
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any]
    last_error: str
    position: int | None = None


class JobPublic(Schema):
    name: str
    period: PeriodKind
    description: str
    next_run_at: datetime


class JobsPublic(Schema):
    jobs: list[JobPublic]
    runs: list[JobRunPublic]


# Rakeback and FX rates.

RakebackBucket = Literal["INSTANT", "DAILY", "WEEKLY", "MONTHLY"]
RAKEBACK_AMOUNTS = ("instantClaimable", "dailyAccumulated", "dailyClaimable",
                    "weeklyAccumulated", "weeklyClaimable", "monthlyAccumulated",
                    "monthlyClaimable")
CLAIM_AMOUNTS = ("amount", "payout")


class RakebackBuckets(Schema):
    """One currency's four buckets: what has accrued and what is claimable."""

    currency: str
    instant_claimable: Amount
    daily_accumulated: Amount
    daily_claimable: Amount
    weekly_accumulated: Amount
    weekly_claimable: Amount
    monthly_accumulated: Amount
    monthly_claimable: Amount


class RakebackBalancePublic(RakebackBuckets):
    """The buckets; `serverSeedHash` commits the seed of flip `nextNonce`."""

    server_seed_hash: str
    next_nonce: int


class RakebackPublic(Schema):
    player_id: str
    next_open_at: dict[RakebackBucket, datetime]
    currencies: list[RakebackBalancePublic]


class RakebackClaimCreate(RequestSchema):
    request_id: RequestId
    type: RakebackBucket
    double: StrictBool = False
    client_seed: Annotated[str | None, Field(
        min_length=1, max_length=200,
        description="The player's seed of the flip; the requestId if left out")] = None


class FlipPublic(Schema):
    """A double-or-nothing flip as recorded: its seeds, nonce, digest and outcome."""

    flip_id: str
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int
    digest: str
    won: bool


class RakebackClaimLine(Schema):
    currency: str
    amount: Amount
    payout: Amount
    flip: FlipPublic | None


class RakebackClaimPublic(Schema):
    player_id: str
    type: RakebackBucket
    doubled: bool
    claims: list[RakebackClaimLine]
    position: int | None


class FlipVerification(Schema):
    """A flip recomputed from its recorded inputs (docs/rakeback.md, "Verifying a flip")."""

    flip_id: str
    player_id: str
    currency: str
    bucket: RakebackBucket
    request_id: str
    claimed_at: datetime
    amount: Amount
    payout: Amount
    recorded: FlipPublic
    committed_seed_hash: str
    recomputed_digest: str
    recomputed_won: bool
    honest: bool
    matches_record: bool


class RakebackRowPublic(RakebackBuckets):
    player_id: str
    position: int


class RakebackPage(Schema):
    rows: list[RakebackRowPublic]
    next_cursor: str | None


class ClaimableUsdLine(Schema):
    currency: str
    bucket: RakebackBucket
    amount: Amount
    rate: Amount | None
    usd: Amount | None


class ClaimableUsdPublic(Schema):
    """What a player could claim now, in USD at the rates in force (set at `ratesSetAt`)."""

    player_id: str
    total_usd: Amount
    breakdown: list[ClaimableUsdLine]
    unpriced: list[str]
    rates_set_at: datetime | None


class FxRatesPut(RequestSchema):
    rates: Annotated[dict[str, DecimalText], Field(
        min_length=1, max_length=100, examples=[{"BTC": "60000.00", "ETH": "3000.00"}],
        description="USD per unit, as decimal strings; currencies left out keep theirs")]


class FxRatesPublic(Schema):
    """The USD rates in force; `setAt`/`setBy` name the latest change (null: configured)."""

    rates: dict[str, Amount]
    set_at: datetime | None
    set_by: str | None
    position: int | None = None
