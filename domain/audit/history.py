"""History: a player's wallets as they were at a past instant, from the events alone.

Each wallet is rebuilt by the Wallet aggregate's own mutators (the repository
replays its events up to a version, from the nearest snapshot), never from a
projection and never with arithmetic of our own per event type: a Wallet event
added later is covered the day it exists. The version is the last one within
the log as of the instant: the longest prefix of the log whose events were all
stamped at or before it (docs/audit.md), whose end the caller gives.

`at` must carry a time zone (an audit question with an ambiguous instant is
refused, not guessed) and must not be in the future: the answer for an
instant that has not happened yet could still change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.kernel.clock import check_past
from domain.ledger import Ledger
from domain.wallet.commands import wallet_figures
from domain.wallet.model import wallet_id


def balances_at(ledger: Ledger, player_id: str, at: datetime,
                log_position: int) -> dict[str, Any]:
    """Every wallet of the player (configured currencies) as of `at`, with positions.

    `log_position` is the end of the log as of `at` (the last position whose log
    time is at or before it: projections/audit/history.py asks the audit chain).
    Each wallet is rebuilt to its last event at or before that position, and
    `position` is the log position of the player's last wallet event there (0 if
    none): the log up to there gives exactly these figures.
    """
    check_past(at)
    wallets = []
    for currency in ledger.currencies:
        found = wallet_at(ledger, wallet_id(player_id, currency.code), log_position)
        if found is not None:
            wallets.append(found)
    position = max((w["position"] for w in wallets), default=0)
    return {"playerId": player_id, "at": at, "position": position,
            "logPosition": log_position, "balances": wallets}


def wallet_at(ledger: Ledger, aggregate_id: UUID, log_position: int,
              ) -> dict[str, Any] | None:
    """One wallet's figures at its last event at or before `log_position` (None: not
    yet open)."""
    version = version_at(ledger, aggregate_id, log_position)
    if version is None:
        return None
    wallet = ledger.repository.get(aggregate_id, version=version)
    position = ledger.position_of(aggregate_id, version=version)
    return {**wallet_figures(wallet), "position": position,
            "updatedAt": wallet.modified_on}


def version_at(ledger: Ledger, aggregate_id: UUID, log_position: int) -> int | None:
    """The last version of an aggregate stored at or before `log_position`, by
    bisection (an aggregate's versions are stored in log order)."""
    store = ledger.repository.event_store
    last = list(store.get(aggregate_id, desc=True, limit=1))
    if not last:
        return None
    low, high = 0, last[0].originator_version  # version `low` is known to qualify
    if (ledger.position_of(aggregate_id, version=high) or 0) <= log_position:
        return high
    while high - low > 1:
        middle = (low + high) // 2
        if (ledger.position_of(aggregate_id, version=middle) or 0) <= log_position:
            low = middle
        else:
            high = middle
    return low or None
