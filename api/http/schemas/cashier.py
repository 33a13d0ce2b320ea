"""HTTP schemas of the cashier: deposit addresses, deposits, withdrawals, treasury,
reconciliation. camelCase JSON, amounts as strings (api/http/schemas/common.py conventions)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.http.schemas.common import (
    Amount,
    AmountText,
    CurrencyCode,
    PositiveAmountText,
    Reason,
    RequestId,
    RequestSchema,
    Schema,
)

Address = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9]+$")]
WITHDRAWAL_AMOUNTS = ("amount", "fee", "sent")


class DepositAddressCreate(RequestSchema):
    currency: CurrencyCode


class DepositAddressPublic(Schema):
    player_id: str
    currency: str
    chain: str
    address: str


class DepositPublic(Schema):
    id: str
    player_id: str
    chain: str
    currency: str
    tx_hash: str
    index: int
    address: str
    amount: Amount
    block_height: int
    block_hash: str
    confirmations: int | None = Field(description="While pending: tip - height + 1")
    required: int
    status: str
    detected_at: datetime
    updated_at: datetime


class DepositsPublic(Schema):
    player_id: str
    deposits: list[DepositPublic]


class WithdrawalCreate(RequestSchema):
    request_id: RequestId
    currency: CurrencyCode
    amount: AmountText
    destination: Address


class WithdrawalPublic(Schema):
    id: str
    player_id: str
    currency: str
    chain: str
    amount: Amount
    usd: Amount | None = None
    destination: str
    status: str
    approvals_needed: int
    approvals: list[str]
    tx_hash: str | None = None
    nonce: int | None = None
    fee: Amount | None = Field(default=None, description="Network fee charged")
    sent: Amount | None = Field(default=None, description="What the destination gets")
    note: str = ""
    requested_at: datetime | None = None
    updated_at: datetime | None = None
    position: int | None = None


class WithdrawalsPublic(Schema):
    withdrawals: list[WithdrawalPublic]


class Decision(RequestSchema):
    """Who decides comes from the token; why is required (the audit lists it)."""

    reason: Reason


class FundingCreate(RequestSchema):
    currency: CurrencyCode
    amount: PositiveAmountText
    tx_hash: Address
    reason: Reason


class FundingPublic(Schema):
    id: str
    currency: str
    amount: Amount
    tx_hash: str


class HealthPublic(Schema):
    currency: str
    run: str
    checked_at: datetime | None = None
    hot: Amount
    user_balances: Amount
    ratio: Amount
    target: Amount
    alert_below: Amount
    refill: Amount
    status: str


class TreasuryPublic(Schema):
    health: list[HealthPublic]
    queued_alerts: list[WithdrawalPublic] = Field(
        description="Queued withdrawals the hot wallet could not pay")


class ReconcileCreate(RequestSchema):
    currency: CurrencyCode | None = None


class ReconciliationPublic(Schema):
    id: str
    currency: str
    run: str
    at: datetime
    held: Amount
    expected: Amount
    discrepancy: Amount
    tolerance: Amount
    verdict: str
    inputs: dict[str, Amount]


class ReconciliationsPublic(Schema):
    reports: list[ReconciliationPublic]
