"""A withdrawal as its commands return it (the API maps it to its schema)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.cashier.withdrawals.model import Withdrawal
from domain.commanding.results import command_result


@command_result("withdrawal")
@dataclass(frozen=True)
class WithdrawalRecord:
    withdrawal_id: str
    player_id: str
    currency: str
    chain: str
    amount: Decimal
    usd: Decimal | None
    destination: str
    status: str
    approvals_needed: int
    approvals: tuple[str, ...]
    tx_hash: str | None
    nonce: int | None
    fee: Decimal | None
    sent: Decimal | None


def withdrawal_record(w: Withdrawal) -> WithdrawalRecord:
    signed = w.signed or {}
    return WithdrawalRecord(
        withdrawal_id=str(w.id), player_id=w.player_id, currency=w.currency,
        chain=w.chain, amount=w.amount, usd=w.usd, destination=w.destination,
        status=w.status, approvals_needed=w.approvals_needed,
        approvals=tuple(w.approvals), tx_hash=signed.get("txHash"),
        nonce=signed.get("nonce"), fee=signed.get("feeCharged"), sent=signed.get("sent"))
