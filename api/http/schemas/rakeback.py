"""HTTP schemas of rakeback (buckets, claims, flips, admin rows) and FX rates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictBool,
)

from api.http.schemas.bets import PositiveDecimalText
from api.http.schemas.common import Amount, CurrencyCode, RequestId, RequestSchema, Schema
from domain.kernel.text import TEXT_PATTERN

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
        min_length=1, max_length=200, pattern=TEXT_PATTERN,
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
    rates: Annotated[dict[CurrencyCode, PositiveDecimalText], Field(
        min_length=1, max_length=100, examples=[{"BTC": "60000.00", "ETH": "3000.00"}],
        description="USD per unit, as decimal strings; currencies left out keep theirs")]


class FxRatesPublic(Schema):
    """The USD rates in force; `setAt`/`setBy` name the latest change (null: configured)."""

    rates: dict[str, Amount]
    set_at: datetime | None
    set_by: str | None
    position: int | None = None
