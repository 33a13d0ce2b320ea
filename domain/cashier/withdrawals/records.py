"""A withdrawal as commands return it and the API shows it."""

from __future__ import annotations

from typing import Any

from domain.cashier.withdrawals.model import Withdrawal


def withdrawal_record(w: Withdrawal) -> dict[str, Any]:
    signed = w.signed or {}
    return {"id": str(w.id), "playerId": w.player_id, "currency": w.currency,
            "chain": w.chain, "amount": w.amount, "usd": w.usd, "destination": w.destination,
            "status": w.status, "approvalsNeeded": w.approvals_needed,
            "approvals": list(w.approvals), "txHash": signed.get("txHash"),
            "nonce": signed.get("nonce"), "fee": signed.get("feeCharged"),
            "sent": signed.get("sent")}
