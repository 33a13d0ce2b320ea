"""Facts about a bet's settlement that other contexts read: which settlements
count as play, the key of one settlement, and which events reverse one.

Cashback tallies, bonus wagering, real-time cashback and rakeback clawback all
ask these questions of a bet; they live with the bet so that none of those
contexts reaches into another for them.
"""

from __future__ import annotations

from typing import Any

from domain.betting.model import SETTLED, Bet

# A WIN or a LOSS was played; a PUSH or VOID returned the stake, so it neither
# lost nor wagered anything.
COUNTED_OUTCOMES = ("WIN", "LOSS")


def is_current_play(bet: Any, settlement_version: int) -> bool:
    """A WIN or LOSS settlement that still stands (later events undo or redo it)."""
    return (isinstance(bet, Bet) and bet.status == SETTLED and bet.version == settlement_version
            and bet.outcome in COUNTED_OUTCOMES)


def play_key(bet_id: str, settlement_version: int) -> str:
    """The key of one settlement of a bet: a bet settled again counts again."""
    return f"{bet_id}:{settlement_version}"


def reverses_settlement(event: Any) -> bool:
    """A rollback of the settlement, or a refund of a settled bet."""
    return (isinstance(event, Bet.RolledBack) and event.stage == "SETTLEMENT"
            or isinstance(event, Bet.Refunded) and event.previous_status == SETTLED)
