"""Bets: one row per bet, as the player's bet history and the back office show it.

The row mirrors the Bet aggregate: its placement snapshot (stake, cash and
bonus parts, the game's RTP, category and provider), its status (OPEN,
SETTLED, REFUNDED, CANCELLED), its outcome and payout. As on the aggregate, a
rollback of a settlement clears the outcome (the bet is OPEN again), and a
refund after a LOSS keeps the outcome it refunds. `settledAt` is the time of
the settlement the outcome belongs to, so it is null while there is none.

Paging is newest placement first. The cursor is `(placedPosition, 0)` of the
last row of a page: a bet's placement has a log position of its own, so the
first element alone orders bets; the 0 keeps the `(position, leg)` shape of the
ledger-entry cursor so that clients page both the same way.
"""

from __future__ import annotations

from typing import Any

from domain.betting.model import CANCELLED, OPEN, REFUNDED, SETTLED, Bet
from domain.kernel.money import ZERO
from projections.engine.database import Cursor, decimal, timestamp
from projections.engine.view import View

COLUMNS = ("bet_id", "player_id", "provider", "game_id", "round_id", "currency",
           "stake", "cash_part", "bonus_part", "rtp", "category", "game_provider",
           "house_game", "status", "outcome", "payout", "placed_position",
           "placed_at", "settled_at", "position")
CHANGING = ("status", "outcome", "payout", "settled_at", "position")
UPSERT = (
    f"INSERT INTO {{s}}bets ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)}) ON CONFLICT (bet_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in CHANGING)
)
PLACEMENT = ("player_id", "provider", "game_id", "round_id", "currency", "stake",
             "cash_part", "bonus_part", "rtp", "category", "game_provider", "house_game")


class UnknownBet(Exception):
    """An event for a bet whose placement the view never saw: a bug, never skipped."""


class BetsView(View):
    name = "bets"
    tables = ("bets",)
    order_by = {"bets": "bet_id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}bets (bet_id TEXT PRIMARY KEY, "
        "player_id TEXT NOT NULL, provider TEXT NOT NULL, game_id TEXT NOT NULL, "
        "round_id TEXT NOT NULL, currency TEXT NOT NULL, stake {decimal} NOT NULL, "
        "cash_part {decimal} NOT NULL, bonus_part {decimal} NOT NULL, "
        "rtp {decimal} NOT NULL, category TEXT NOT NULL, "
        "game_provider TEXT NOT NULL, house_game BOOLEAN NOT NULL, "
        "status TEXT NOT NULL, outcome TEXT, payout {decimal} NOT NULL, "
        "placed_position BIGINT NOT NULL, placed_at {time} NOT NULL, "
        "settled_at {time}, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS bets_by_player "
        "ON {s}bets (player_id, placed_position)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        events = [(p, e) for p, e in batch if type(e) in HANDLERS]
        found = cursor.rows_by_key("bets", ("bet_id",), (
            (str(e.originator_id),) for _, e in events if not isinstance(e, Bet.Placed)))
        rows: dict[str, dict[str, Any]] = {}
        for position, event in events:
            bet_id = str(event.originator_id)
            if isinstance(event, Bet.Placed):
                rows[bet_id] = placed(bet_id, position, event)
            else:
                row = rows.get(bet_id) or stored(found, bet_id)
                HANDLERS[type(event)](row, event)
                row["position"] = position
                rows[bet_id] = row
        cursor.executemany(UPSERT, [tuple(row[c] for c in COLUMNS)
                                    for row in rows.values()])

    def page(self, player_id: str, *, before: tuple[int, int] | None = None,
             limit: int = 50) -> list[dict[str, Any]]:
        """A player's bets newest first, strictly before the (placedPosition, 0) cursor."""
        clauses, params = ["player_id = ?"], [player_id]
        if before:
            clauses.append("placed_position < ?")
            params.append(before[0])
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}bets WHERE {' AND '.join(clauses)} "
                "ORDER BY placed_position DESC LIMIT ?", (*params, limit)).fetchall()
        return [bet(row) for row in found]

    def get(self, bet_id: str) -> dict[str, Any] | None:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute("SELECT * FROM {s}bets WHERE bet_id = ?",
                                   (str(bet_id),)).fetchone()
        return bet(found) if found else None


def stored(found: dict[tuple[str], Any], bet_id: str) -> dict[str, Any]:
    """The stored row of a bet placed in an earlier batch."""
    if (bet_id,) not in found:
        raise UnknownBet(f"no placement of bet {bet_id} in the bets view")
    return {c: found[(bet_id,)][c] for c in COLUMNS}


# One handler per event type; each mutates the row as the aggregate mutates itself.

def placed(bet_id: str, position: int, event: Any) -> dict[str, Any]:
    return {"bet_id": bet_id, **{a: getattr(event, a) for a in PLACEMENT},
            "status": OPEN, "outcome": None, "payout": ZERO,
            "placed_position": position, "placed_at": event.timestamp,
            "settled_at": None, "position": position}


def settled(row: dict[str, Any], event: Any) -> None:
    row.update(status=SETTLED, outcome=event.outcome, payout=event.payout,
               settled_at=event.timestamp)


def refunded(row: dict[str, Any], event: Any) -> None:
    row["status"] = REFUNDED


def rolled_back(row: dict[str, Any], event: Any) -> None:
    if event.stage == "SETTLEMENT":
        row.update(status=OPEN, outcome=None, payout=ZERO, settled_at=None)
    else:
        row["status"] = CANCELLED


HANDLERS = {Bet.Placed: placed, Bet.Settled: settled, Bet.Refunded: refunded,
            Bet.RolledBack: rolled_back}


def bet(row: Any) -> dict[str, Any]:
    """A bets row as the API shows it."""
    return {
        "betId": row["bet_id"],
        "playerId": row["player_id"],
        "provider": row["provider"],
        "gameId": row["game_id"],
        "roundId": row["round_id"],
        "currency": row["currency"],
        "stake": decimal(row["stake"]),
        "cashPart": decimal(row["cash_part"]),
        "bonusPart": decimal(row["bonus_part"]),
        "status": row["status"],
        "outcome": row["outcome"],
        "payout": decimal(row["payout"]),
        "rtp": decimal(row["rtp"]),
        "category": row["category"],
        "gameProvider": row["game_provider"],
        "houseGame": bool(row["house_game"]),
        "placedAt": timestamp(row["placed_at"]),
        "settledAt": timestamp(row["settled_at"]) if row["settled_at"] else None,
        "placedPosition": row["placed_position"],
    }


def cursor_of(row: dict[str, Any]) -> tuple[int, int]:
    """The `before` cursor that continues after this row."""
    return (row["placedPosition"], 0)
