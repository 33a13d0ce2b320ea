"""History: a player's wallets as they were at a past instant, from the events alone.

Each wallet is rebuilt by the Wallet aggregate's own mutators (the repository
replays its events up to a version, from the nearest snapshot), never from a
projection and never with arithmetic of our own per event type: a Wallet event
added later is covered the day it exists. The version is the last one whose
event happened at or before the instant; an aggregate's events are stamped in
version order by the ledger clock, so it is found by bisection.

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


def balances_at(ledger: Ledger, player_id: str, at: datetime) -> dict[str, Any]:
    """Every wallet of the player (configured currencies) as of `at`, with positions.

    `position` is the log position of the player's last wallet event at or
    before `at` (0 if none): the log up to there gives exactly these figures.
    `logPosition` is the log's last event at or before `at`, of any aggregate
    (what `audit replay --until` rebuilds to).
    """
    check_past(at)
    wallets = []
    for currency in ledger.currencies:
        found = wallet_at(ledger, wallet_id(player_id, currency.code), at)
        if found is not None:
            wallets.append(found)
    position = max((w["position"] for w in wallets), default=0)
    return {"playerId": player_id, "at": at, "position": position,
            "logPosition": log_position_at(ledger.recorder, ledger.mapper, at),
            "balances": wallets}


def wallet_at(ledger: Ledger, aggregate_id: UUID, at: datetime) -> dict[str, Any] | None:
    """One wallet's figures at its last version at or before `at` (None: not yet open)."""
    version = version_at(ledger, aggregate_id, at)
    if version is None:
        return None
    wallet = ledger.repository.get(aggregate_id, version=version)
    position = ledger.position_of(aggregate_id, version=version)
    return {**wallet_figures(wallet), "position": position,
            "updatedAt": wallet.modified_on}


def version_at(ledger: Ledger, aggregate_id: UUID, at: datetime) -> int | None:
    """The last version of an aggregate whose event happened at or before `at`."""
    store = ledger.repository.event_store
    last = list(store.get(aggregate_id, desc=True, limit=1))
    if not last:
        return None
    low, high = 0, last[0].originator_version  # version `low` is known to qualify
    if last[0].timestamp <= at:
        return high
    while high - low > 1:
        middle = (low + high) // 2
        [probe] = store.get(aggregate_id, gt=middle - 1, lte=middle)
        low, high = (middle, high) if probe.timestamp <= at else (low, middle)
    return low or None


def log_position_at(recorder: Any, mapper: Any, at: datetime) -> int:
    """The position of the log's last event at or before `at` (0: none), by bisection.

    Event times follow log order, except that writers deciding at the same
    moment may interleave by a few milliseconds around `at`.
    """
    low, high = 0, (recorder.max_notification_id() or 0) + 1
    while high - low > 1:
        middle = (low + high) // 2
        [note] = recorder.select_notifications(start=middle, limit=1)
        if mapper.to_domain_event(note).timestamp <= at:
            low = note.id
        else:
            high = middle
    return low
