"""P&L: wagered, won, GGR and NGR per UTC day, game, game provider and currency.

- wagered: the stakes of settled bets; won: what went back to players (the
  payout of a WIN, nothing for a LOSS, the stake itself for a PUSH).
- GGR (gross gaming revenue) = wagered − won.
- bonus stake: the bonus-funded part of the stakes the house kept (WIN and
  LOSS); a PUSH returned its stake, bonus part included, so it costs nothing.
- NGR (net gaming revenue) = GGR − bonus stake: bonus money staked is not real
  revenue, the house only gave it away earlier. Rakeback and cashback costs
  join NGR (as further deductions) when those features land.
- bets: how many settlements count on that day.

A settlement (WIN, LOSS, PUSH) counts on the UTC day of its event; a VOID
counts nothing. A reversal (a rollback of a settlement, or the refund of a
settled bet) books the opposite amounts on the UTC day of the reversal event,
not on the day of the settlement it reverses: corrections are booked when they
happen, so a day once closed never changes. A day can therefore show negative
figures when it holds only reversals.

Refunds and rollbacks carry no amounts, so the view keeps what it needs of each
bet in a side table, `pnl_bets`: the placement's stake and bonus part and the
settlement that currently counts (its outcome and payout, null when none does).

`pnl_by_brand` holds the same figures per brand too (the brand each settlement
or reversal event was stamped with, domain/brands/model.py; `default` for
events stored before brands), for a report of one brand.
"""

from __future__ import annotations

from datetime import date, timezone
from typing import Any

from domain.betting.model import SETTLED, Bet
from domain.brands.model import DEFAULT_BRAND, brand_of
from domain.kernel.money import ZERO
from projections.engine.database import Cursor, decimal
from projections.engine.view import View

FIGURES = ("wagered", "won", "bonus_stake", "bets")
UPSERT_DAY = (
    "INSERT INTO {s}pnl (day, game_id, provider, currency, wagered, won, "
    "bonus_stake, bets) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (day, game_id, provider, currency) DO UPDATE SET "
    "wagered = excluded.wagered, won = excluded.won, "
    "bonus_stake = excluded.bonus_stake, bets = excluded.bets"
)
BET_COLUMNS = ("bet_id", "game_id", "provider", "currency", "stake", "bonus_part",
               "outcome", "payout")
UPSERT_BET = (
    f"INSERT INTO {{s}}pnl_bets ({', '.join(BET_COLUMNS)}) VALUES "
    f"({', '.join('?' for _ in BET_COLUMNS)}) ON CONFLICT (bet_id) DO UPDATE SET "
    "outcome = excluded.outcome, payout = excluded.payout"
)
UPSERT_BRAND_DAY = (
    "INSERT INTO {s}pnl_by_brand (brand, day, game_id, provider, currency, wagered, won, "
    "bonus_stake, bets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (brand, day, game_id, provider, currency) DO UPDATE SET "
    "wagered = excluded.wagered, won = excluded.won, "
    "bonus_stake = excluded.bonus_stake, bets = excluded.bets"
)
Key = tuple[str, ...]  # (brand,) day, game, game provider, currency
DAY_KEY = ("day", "game_id", "provider", "currency")
BRAND_DAY_KEY = ("brand", *DAY_KEY)


class UnknownBet(Exception):
    """An event for a bet whose placement the view never saw: a bug, never skipped."""


class PnlView(View):
    name = "pnl"
    tables = ("pnl", "pnl_bets", "pnl_by_brand")
    order_by = {"pnl": "day, game_id, provider, currency", "pnl_bets": "bet_id",
                "pnl_by_brand": "brand, day, game_id, provider, currency"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}pnl (day TEXT NOT NULL, "
        "game_id TEXT NOT NULL, provider TEXT NOT NULL, currency TEXT NOT NULL, "
        "wagered {decimal} NOT NULL, won {decimal} NOT NULL, "
        "bonus_stake {decimal} NOT NULL, bets BIGINT NOT NULL, "
        "PRIMARY KEY (day, game_id, provider, currency))",
        "CREATE TABLE IF NOT EXISTS {s}pnl_bets (bet_id TEXT PRIMARY KEY, "
        "game_id TEXT NOT NULL, provider TEXT NOT NULL, currency TEXT NOT NULL, "
        "stake {decimal} NOT NULL, bonus_part {decimal} NOT NULL, outcome TEXT, "
        "payout {decimal})",
        "CREATE TABLE IF NOT EXISTS {s}pnl_by_brand (brand TEXT NOT NULL, "
        "day TEXT NOT NULL, game_id TEXT NOT NULL, provider TEXT NOT NULL, "
        "currency TEXT NOT NULL, wagered {decimal} NOT NULL, won {decimal} NOT NULL, "
        "bonus_stake {decimal} NOT NULL, bets BIGINT NOT NULL, "
        "PRIMARY KEY (brand, day, game_id, provider, currency))",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        events = [e for _, e in batch if isinstance(e, Bet.Event)]
        found = self._load_bets(cursor, events)
        found_days = self._load_days(cursor, events, found)
        bets: dict[str, dict[str, Any]] = {}
        days: dict[Key, dict[str, Any]] = {}
        brand_days: dict[Key, dict[str, Any]] = {}
        for event in events:
            bet_id = str(event.originator_id)
            if isinstance(event, Bet.Placed):
                bets[bet_id] = placed(bet_id, event)
                continue
            bet = bets[bet_id] = bets.get(bet_id) or stored(found, bet_id)
            sign = counts(bet, event)
            if sign:
                key = day_key(event, bet)
                days[key] = days.get(key) or day_figures(found_days.get(key))
                brand_key = (brand_of(event) or DEFAULT_BRAND, *key)
                brand_days[brand_key] = brand_days.get(brand_key) or day_figures(
                    found_days.get(brand_key))
                book(days[key], dict(bet), event, sign)
                book(brand_days[brand_key], bet, event, sign)
        cursor.executemany(UPSERT_BET, [tuple(b[c] for c in BET_COLUMNS)
                                        for b in bets.values()])
        for statement, rows in ((UPSERT_DAY, days), (UPSERT_BRAND_DAY, brand_days)):
            cursor.executemany(statement, [(*key, *(row[f] for f in FIGURES))
                                           for key, row in rows.items()])

    def _load_bets(self, cursor: Cursor, events: list[Any]) -> dict[str, dict[str, Any]]:
        """The stored bets that events of this batch change, by bet id."""
        placed_here = {e.originator_id for e in events if isinstance(e, Bet.Placed)}
        found = cursor.rows_by_key("pnl_bets", ("bet_id",), (
            (str(e.originator_id),) for e in events if e.originator_id not in placed_here))
        return {bet_id: stored_bet(row) for (bet_id,), row in found.items()}

    def _load_days(self, cursor: Cursor, events: list[Any],
                   found: dict[str, dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
        """The stored days this batch may book on (a bet's game, game provider
        and currency never change); a day fetched but not booked is not written."""
        bets = {**found, **{str(e.originator_id): placed(str(e.originator_id), e)
                            for e in events if isinstance(e, Bet.Placed)}}
        keys = [day_key(event, bets[str(event.originator_id)]) for event in events
                if not isinstance(event, Bet.Placed) and str(event.originator_id) in bets]
        brand_keys = [(brand_of(e) or DEFAULT_BRAND, *key) for e, key in zip(
            (e for e in events if not isinstance(e, Bet.Placed)
             and str(e.originator_id) in bets), keys)]
        return {**cursor.rows_by_key("pnl", DAY_KEY, keys),
                **cursor.rows_by_key("pnl_by_brand", BRAND_DAY_KEY, brand_keys)}

    def report(self, day_from: date, day_to: date, *, currency: str | None = None,
               game_id: str | None = None, provider: str | None = None,
               brand: str | None = None) -> list[dict[str, Any]]:
        """Rows of the days from `day_from` to `day_to` inclusive, by day, game, currency.

        `provider` is the game's provider (the studio), not the integrating provider.
        """
        clauses = ["day >= ?", "day <= ?"]
        params: list[Any] = [day_from.isoformat(), day_to.isoformat()]
        for column, value in (("currency", currency), ("game_id", game_id),
                              ("provider", provider), ("brand", brand)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}{'pnl_by_brand' if brand else 'pnl'} "
                f"WHERE {' AND '.join(clauses)} "
                "ORDER BY day, game_id, currency, provider", tuple(params)).fetchall()
        return [figures(row) for row in found]

    def totals(self, day_from: date, day_to: date, currency: str) -> dict[str, Any]:
        """The sums of one currency over the days from `day_from` to `day_to` inclusive."""
        total = {"currency": currency, "wagered": ZERO, "won": ZERO, "ggr": ZERO,
                 "bonusStake": ZERO, "ngr": ZERO, "bets": 0}
        for row in self.report(day_from, day_to, currency=currency):
            for name in ("wagered", "won", "ggr", "bonusStake", "ngr", "bets"):
                total[name] += row[name]
        return total


def stored(found: dict[str, dict[str, Any]], bet_id: str) -> dict[str, Any]:
    """The stored row of a bet placed in an earlier batch."""
    if bet_id not in found:
        raise UnknownBet(f"no placement of bet {bet_id} in the pnl view")
    return found[bet_id]


def stored_bet(row: Any) -> dict[str, Any]:
    bet = {c: row[c] for c in BET_COLUMNS}
    for amount in ("stake", "bonus_part", "payout"):
        bet[amount] = None if bet[amount] is None else decimal(bet[amount])
    return bet


def day_figures(row: Any) -> dict[str, Any]:
    """The figures of a stored day, or zeros for a day the view has not seen."""
    if row is None:
        return {"wagered": ZERO, "won": ZERO, "bonus_stake": ZERO, "bets": 0}
    return {"wagered": decimal(row["wagered"]), "won": decimal(row["won"]),
            "bonus_stake": decimal(row["bonus_stake"]), "bets": row["bets"]}


def placed(bet_id: str, event: Any) -> dict[str, Any]:
    return {"bet_id": bet_id, "game_id": event.game_id, "provider": event.game_provider,
            "currency": event.currency, "stake": event.stake,
            "bonus_part": event.bonus_part, "outcome": None, "payout": None}


def counts(bet: dict[str, Any], event: Any) -> int:
    """+1 for a settlement that counts, -1 for a reversal of one, 0 otherwise."""
    if isinstance(event, Bet.Settled):
        return 1 if event.outcome != "VOID" else 0
    reverses = (isinstance(event, Bet.RolledBack) and event.stage == "SETTLEMENT"
                or isinstance(event, Bet.Refunded) and event.previous_status == SETTLED)
    return -1 if reverses and bet["outcome"] is not None else 0


def book(row: dict[str, Any], bet: dict[str, Any], event: Any, sign: int) -> None:
    """Count a settlement (sign +1), or take back the one that counts (sign -1)."""
    if sign > 0:
        bet.update(outcome=event.outcome, payout=event.payout)
    returned = bet["stake"] if bet["outcome"] == "PUSH" else bet["payout"]
    row["wagered"] += sign * bet["stake"]
    row["won"] += sign * returned
    if bet["outcome"] != "PUSH":
        row["bonus_stake"] += sign * bet["bonus_part"]
    row["bets"] += sign
    if sign < 0:
        bet.update(outcome=None, payout=None)


def day_key(event: Any, bet: dict[str, Any]) -> Key:
    return (day_of(event), bet["game_id"], bet["provider"], bet["currency"])


def day_of(event: Any) -> str:
    return event.timestamp.astimezone(timezone.utc).date().isoformat()


def figures(row: Any) -> dict[str, Any]:
    """A pnl row as the report shows it."""
    wagered, won = decimal(row["wagered"]), decimal(row["won"])
    bonus_stake = decimal(row["bonus_stake"])
    return {"day": date.fromisoformat(row["day"]), "gameId": row["game_id"],
            "provider": row["provider"], "currency": row["currency"],
            "wagered": wagered, "won": won, "ggr": wagered - won,
            "bonusStake": bonus_stake, "ngr": wagered - won - bonus_stake,
            "bets": row["bets"]}
