"""Abuse signals: the reaction that feeds the watches, and the list compliance reads.

`AbuseSignals` runs ObserveBet (domain/compliance/observe.py) for each WIN,
LOSS or VOID settlement and each rollback; `SignalsView` lists the signals raised, each
with its rule, subject and the bets in evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from domain.betting.model import Bet
from domain.betting.settlement import COUNTED_OUTCOMES
from domain.commanding.runner import Command
from domain.compliance.observe import ObserveBet
from domain.compliance.watch import AbuseWatch
from projections.engine.database import Cursor, page_after
from projections.engine.reaction import Reaction
from projections.engine.view import View

COLUMNS = ("id", "signal_id", "subject", "rule", "evidence", "detail", "at")


class AbuseSignals(Reaction):
    name = "abuse_signals"

    def commands(self, event: Any) -> Iterator[Command]:
        void = (isinstance(event, Bet.RolledBack)
                or isinstance(event, Bet.Settled) and event.outcome == "VOID")
        if void or isinstance(event, Bet.Settled) and event.outcome in COUNTED_OUTCOMES:
            bet_id, version = str(event.originator_id), event.originator_version
            yield ObserveBet(f"{bet_id}:{version}", bet_id, version, void,
                             event.timestamp)


class SignalsView(View):
    name = "abuse_signals_list"
    tables = ("abuse_signals",)
    order_by = {"abuse_signals": "id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}abuse_signals (id BIGINT PRIMARY KEY, "
        "signal_id TEXT NOT NULL UNIQUE, subject TEXT NOT NULL, rule TEXT NOT NULL, "
        "evidence TEXT NOT NULL, detail TEXT NOT NULL, at {time} NOT NULL)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows = [(p, e.signal_id, e.subject, e.rule, json.dumps(e.evidence), e.detail,
                 e.timestamp)
                for p, e in batch if isinstance(e, AbuseWatch.SignalRaised)]
        cursor.executemany(f"INSERT INTO {{s}}abuse_signals ({', '.join(COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(COLUMNS))})", rows)

    def rows(self, *, subject: str | None = None, rule: str | None = None,
             after: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        found = page_after(self.db, "abuse_signals", after, limit, subject=subject,
                           rule=rule)
        return [{c: json.loads(row[c]) if c == "evidence" else row[c] for c in COLUMNS}
                for row in found]
