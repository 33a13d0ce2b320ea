"""Journal: the double-entry postings of every money event, and account balances.

Each event's legs must sum to zero per currency before they are written; a
view that meets an unbalanced event stops and says so. The trial balance (sum
of all account balances per currency) is therefore zero at every position.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.kernel.money import ZERO
from domain.wallet.model import Wallet
from projections.engine.database import Cursor, decimal
from projections.engine.view import View

POSTING_COLUMNS = ("position", "leg", "currency", "account", "amount", "entry_type",
                   "reference", "occurred_at")
UPSERT = (
    "INSERT INTO {s}account_balances (currency, account, balance) VALUES (?, ?, ?) "
    "ON CONFLICT (currency, account) DO UPDATE SET balance = excluded.balance"
)

KEY = ("currency", "account")


class UnbalancedEvent(Exception):
    """An event whose legs do not sum to zero: a bug, never skipped."""


class JournalView(View):
    name = "journal"
    tables = ("journal_postings", "account_balances")
    order_by = {"journal_postings": "position, leg",
                "account_balances": "currency, account"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}journal_postings (position BIGINT NOT NULL, "
        "leg INTEGER NOT NULL, currency TEXT NOT NULL, account TEXT NOT NULL, "
        "amount {decimal} NOT NULL, entry_type TEXT NOT NULL, "
        "reference TEXT NOT NULL, occurred_at {time} NOT NULL, "
        "PRIMARY KEY (position, leg))",
        "CREATE TABLE IF NOT EXISTS {s}account_balances (currency TEXT NOT NULL, "
        "account TEXT NOT NULL, balance {decimal} NOT NULL, "
        "PRIMARY KEY (currency, account))",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        events = [(p, e) for p, e in batch if carries_legs(e)]
        found = cursor.rows_by_key("account_balances", KEY, (
            (event.currency, leg.account) for _, event in events for leg in event.legs()))
        balances: dict[tuple[str, str], Decimal] = {}
        rows = []
        for position, event in events:
            legs = event.legs()
            if sum((leg.amount for leg in legs), ZERO) != 0:
                raise UnbalancedEvent(f"event at position {position} does not balance")
            for leg_no, leg in enumerate(legs):
                key = (event.currency, leg.account)
                if key not in balances:
                    balances[key] = decimal(found[key]["balance"]) if key in found else ZERO
                balances[key] += leg.amount
                rows.append((position, leg_no, event.currency, leg.account,
                             leg.amount, event.entry_type, event.reference,
                             event.timestamp))
        cursor.insert_rows("journal_postings", POSTING_COLUMNS, rows)
        cursor.executemany(UPSERT, [(*key, value) for key, value in balances.items()])

    def account_balances(self, currency: str | None = None) -> dict[tuple[str, str], Decimal]:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT currency, account, balance FROM {s}account_balances").fetchall()
        return {(r["currency"], r["account"]): decimal(r["balance"]) for r in found
                if currency in (None, r["currency"])}

    def trial_balance(self) -> dict[str, Decimal]:
        """Sum of every account per currency: zero when the books balance."""
        totals: dict[str, Decimal] = {}
        for (currency, _), balance in self.account_balances().items():
            totals[currency] = totals.get(currency, ZERO) + balance
        return totals


def carries_legs(event: Any) -> bool:
    """Wallet events, and house-only movements such as a withdrawal leaving the
    hot wallet (domain/cashier/withdrawals/model.py), which name their currency and legs."""
    return isinstance(event, Wallet.Event) or callable(getattr(event, "legs", None))
