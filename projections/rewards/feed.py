"""The rewards feed: everything a player received, one row per event, in log order.

`reward_type` follows the seeds' rewards table:
- `rakeback`: a claim (its payout; with double-or-nothing, `outcome` WON or
  LOST, a LOST claim paying 0), from the rakeback account's Claimed event;
- `vip_cashback`: a cashback credit; `bonus`: a bonus grant's credit;
- `bonus_wagering_met` / `bonus_forfeited`: a grant's outcome (bonus moved to
  cash, or taken back when it expired);
- `manual_adjustment`: a back-office credit (negative: a debit).
`source` is the ledger reference (or the rakeback bucket). Rakeback accounts
name their player and currency only when opened: `reward_accounts` keeps them.
"""

from __future__ import annotations

from typing import Any

from domain.rakeback.model import RakebackAccount
from domain.wallet.model import Wallet
from projections.engine.database import Cursor, decimal, timestamp
from projections.engine.view import View

COLUMNS = ("position", "player_id", "currency", "reward_type", "amount", "balance",
           "source", "outcome", "occurred_at")
INSERT = (f"INSERT INTO {{s}}rewards ({', '.join(COLUMNS)}) VALUES "
          f"({', '.join('?' * len(COLUMNS))})")
TYPE_OF_TAG = {"CASHBACK": "vip_cashback", "BONUS": "bonus", "ADJUSTMENT": "manual_adjustment"}


class RewardsView(View):
    name = "rewards"
    tables = ("rewards", "reward_accounts")
    order_by = {"rewards": "position", "reward_accounts": "account_id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}rewards (position BIGINT PRIMARY KEY, "
        "player_id TEXT NOT NULL, currency TEXT NOT NULL, reward_type TEXT NOT NULL, "
        "amount {decimal} NOT NULL, balance TEXT NOT NULL, source TEXT NOT NULL, "
        "outcome TEXT, occurred_at {time} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rewards_by_player ON {s}rewards (player_id, position)",
        "CREATE TABLE IF NOT EXISTS {s}reward_accounts (account_id TEXT PRIMARY KEY, "
        "player_id TEXT NOT NULL, currency TEXT NOT NULL)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        opened = {str(e.originator_id): (e.player_id, e.currency) for _, e in batch
                  if isinstance(e, RakebackAccount.Opened)}
        cursor.executemany("INSERT INTO {s}reward_accounts (account_id, player_id, "
                           "currency) VALUES (?, ?, ?)",
                           [(key, *owner) for key, owner in opened.items()])
        claims = [(p, e) for p, e in batch if isinstance(e, RakebackAccount.Claimed)]
        owners = {**cursor.rows_by_key("reward_accounts", ("account_id",), (
            (str(e.originator_id),) for _, e in claims)), **{(k,): v for k, v in opened.items()}}
        rows = [row for position, event in batch
                if (row := reward(position, event, owners)) is not None]
        cursor.executemany(INSERT, rows)

    def for_player(self, player_id: str, after: int | None, limit: int) -> list[dict[str, Any]]:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT * FROM {s}rewards WHERE player_id = ? AND position > ? "
                "ORDER BY position LIMIT ?", (player_id, after or 0, limit)).fetchall()
        return [{"position": r["position"], "playerId": r["player_id"],
                 "currency": r["currency"], "rewardType": r["reward_type"],
                 "amount": decimal(r["amount"]), "balance": r["balance"],
                 "source": r["source"], "outcome": r["outcome"],
                 "occurredAt": timestamp(r["occurred_at"])} for r in found]


def reward(position: int, event: Any, owners: dict[tuple[str], Any]) -> tuple[Any, ...] | None:
    """The feed row of one event, or None for an event that rewards no one."""
    if isinstance(event, RakebackAccount.Claimed):
        owner = owners[(str(event.originator_id),)]
        player_id, currency = (owner if isinstance(owner, tuple)
                               else (owner["player_id"], owner["currency"]))
        outcome = None if event.flip is None else ("WON" if event.flip["won"] else "LOST")
        return (position, player_id, currency, "rakeback", event.payout, "cash",
                f"rakeback:{event.bucket}", outcome, event.timestamp)
    if type(event) in (Wallet.Credited, Wallet.Debited) and event.tag in TYPE_OF_TAG:
        sign = -1 if isinstance(event, Wallet.Debited) else 1
        return (position, event.player_id, event.currency, TYPE_OF_TAG[event.tag],
                sign * event.amount, event.balance, event.reference, None, event.timestamp)
    if isinstance(event, (Wallet.BonusConverted, Wallet.BonusForfeited)):
        kind = ("bonus_wagering_met" if isinstance(event, Wallet.BonusConverted)
                else "bonus_forfeited")
        return (position, event.player_id, event.currency, kind, event.amount,
                "bonus", event.reference or f"bonus:{event.grant_id}", None, event.timestamp)
    return None
