"""Double entry: the accounts money moves between, and a balanced set of legs.

A leg moves `amount` into `account` (a negative amount moves it out). The legs of
one event sum to zero per currency, so the trial balance of the whole journal is
zero at every position. A player's wallet is four accounts ("pockets"):
available cash, locked cash, free bonus and locked bonus. House accounts go
negative when they pay players and positive when they earn from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

POCKETS = ("available", "locked", "bonus", "bonus_locked")

HOUSE_ADJUSTMENTS = "house:adjustments"
HOUSE_GGR = "house:ggr"
HOUSE_BONUS_EXPENSE = "house:bonus_expense"
HOUSE_RAKEBACK_EXPENSE = "house:rakeback_expense"
HOUSE_CASHBACK_EXPENSE = "house:cashback_expense"
HOUSE_HOT_WALLET = "house:hot_wallet"
# Withdrawals: debited from the player when signed, out of the hot wallet when
# confirmed; the fee charged to the player and the fee the chain took.
HOUSE_PENDING_WITHDRAWALS = "house:pending_withdrawals"
HOUSE_NETWORK_FEES = "house:network_fees"

# Where a credit with this tag comes from, and a debit with it goes to.
HOUSE_ACCOUNT_BY_TAG = {
    "ADJUSTMENT": HOUSE_ADJUSTMENTS,
    "DEPOSIT": HOUSE_HOT_WALLET,
    "PAYOUT": HOUSE_GGR,
    "RAKEBACK": HOUSE_RAKEBACK_EXPENSE,
    "CASHBACK": HOUSE_CASHBACK_EXPENSE,
    "BONUS": HOUSE_BONUS_EXPENSE,
    "REFUND": HOUSE_GGR,
    "ROLLBACK": HOUSE_GGR,
    "WITHDRAWAL_RETURN": HOUSE_PENDING_WITHDRAWALS,
}

# Where a settled hold goes, by the purpose it was taken for.
HOUSE_ACCOUNT_BY_HOLD_PURPOSE = {"BET": HOUSE_GGR,
                                 "WITHDRAWAL": HOUSE_PENDING_WITHDRAWALS}


def player_account(player_id: str, pocket: str) -> str:
    return f"player:{player_id}:{pocket}"


@dataclass(frozen=True)
class Leg:
    account: str
    amount: Decimal


def transfer(source: str, destination: str, amount: Decimal) -> list[Leg]:
    """Two legs moving `amount` from `source` to `destination` (none if zero)."""
    if amount == 0:
        return []
    return [Leg(source, -amount), Leg(destination, amount)]


def pocket_of(account: str, player_id: str) -> str | None:
    """The pocket name if `account` is one of this player's, else None."""
    prefix = f"player:{player_id}:"
    if account.startswith(prefix) and account[len(prefix):] in POCKETS:
        return account[len(prefix):]
    return None
