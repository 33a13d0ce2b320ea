"""The audit hash chain: one row per stored event, in log order (docs/audit.md).

A follower with tracking, like every view: each event's hash (domain/audit/hash_chain.py)
is computed once, from the stored record, in the same transaction that moves
the view's position, so a rebuild from zero yields the same chain. Each row
also names the player the event's aggregate belongs to: an aggregate's
creation event carries `player_id`, later events of some aggregates do not,
so the owners of aggregates are kept in `audit_owners`. Signed checkpoints of
the chain head (domain/audit/model.py) are listed in `audit_checkpoints`.

The view keeps the format its rows were written in (`audit_chain_format`).
A release that changes what a row holds raises FORMAT; a view found in
another format (or in none: built before formats were kept) is dropped
when the view is built at start, and the followers rebuild it from the log
(the stored-bytes hashes come out the same), so an upgrade needs no manual
`projections rebuild audit_chain`.
"""

from __future__ import annotations

import json
import logging
from datetime import timezone
from typing import Any

from domain.audit.model import AuditCheckpoint
from domain.audit.hash_chain import GENESIS, canonical, link, public_canonical
from domain.audit.public_record import later, public_record
from projections.engine.database import Cursor, timestamp
from projections.engine.view import View

log = logging.getLogger(__name__)

# The rows' format: 2 added the log time and the public chain (export format 2).
FORMAT = 2
FORMAT_TABLE = "audit_chain_format"

CHAIN_COLUMNS = ("position", "originator_id", "originator_version", "topic", "at",
                 "player_id", "prev_hash", "hash", "log_at", "public_prev_hash",
                 "public_hash")


class AuditChainView(View):
    name = "audit_chain"
    stored = True
    tables = ("audit_chain", "audit_owners", "audit_checkpoints")
    order_by = {"audit_chain": "position", "audit_owners": "originator_id",
                "audit_checkpoints": "position"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}audit_chain (position BIGINT PRIMARY KEY, "
        "originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
        "topic TEXT NOT NULL, at {time} NOT NULL, player_id TEXT, "
        "prev_hash TEXT NOT NULL, hash TEXT NOT NULL, log_at {time} NOT NULL, "
        "public_prev_hash TEXT NOT NULL, public_hash TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_chain_player ON {s}audit_chain "
        "(player_id, position)",
        "CREATE INDEX IF NOT EXISTS audit_chain_log_at ON {s}audit_chain (log_at)",
        "CREATE TABLE IF NOT EXISTS {s}audit_owners (originator_id TEXT PRIMARY KEY, "
        "player_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {s}audit_checkpoints (position BIGINT PRIMARY KEY, "
        "chained_position BIGINT NOT NULL, hash TEXT NOT NULL, key_id TEXT NOT NULL, "
        "document TEXT NOT NULL)",
    )

    def create(self, cursor: Cursor) -> None:
        """Create the tables; rows of another format are dropped first, to be rebuilt."""
        if self.db.dialect == "postgres":  # processes starting at once check in turn
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (FORMAT_TABLE,))
        self._create_format(cursor)
        found = cursor.execute(f"SELECT format FROM {{s}}{FORMAT_TABLE}").fetchone()
        if found is None or found["format"] != FORMAT:
            position = cursor.position(self.name)
            if position:
                log.warning("audit_chain: its rows up to %d are in format %s, this code "
                            "writes format %d: rebuilding it from the log", position,
                            found["format"] if found else 1, FORMAT)
            self.drop(cursor)
            self._create_format(cursor)
            cursor.execute(f"INSERT INTO {{s}}{FORMAT_TABLE} (format) VALUES (?)",
                           (FORMAT,))
        super().create(cursor)

    def _create_format(self, cursor: Cursor) -> None:
        cursor.raw.execute(self.db.ddl(f"CREATE TABLE IF NOT EXISTS {{s}}{FORMAT_TABLE} "
                                       "(format INTEGER NOT NULL)"))

    def drop(self, cursor: Cursor) -> None:
        super().drop(cursor)
        cursor.raw.execute(self.db.sql(f"DROP TABLE IF EXISTS {{s}}{FORMAT_TABLE}"))

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        head = self._last(cursor)
        prev = bytes.fromhex(head["hash"])
        public_prev = bytes.fromhex(head["public_hash"])
        log_time = head["log_at"]
        owners = self._owners(cursor, batch)
        new_owners: dict[str, str] = {}
        rows, checkpoints = [], []
        for position, (stored, event) in batch:
            originator = str(stored.originator_id)
            player = getattr(event, "player_id", None)
            if isinstance(player, str) and originator not in owners:
                owners[originator] = new_owners[originator] = player
            digest = hash_of(prev, position, stored)
            log_time = later(log_time, event.timestamp)
            public = link(public_prev, public_canonical(public_record(
                position, log_time, event, owners.get(originator))))
            rows.append((position, originator, stored.originator_version, stored.topic,
                         event.timestamp, owners.get(originator), prev.hex(), digest.hex(),
                         log_time, public_prev.hex(), public.hex()))
            if isinstance(event, AuditCheckpoint.Signed):
                checkpoints.append(checkpoint_row(position, event.document))
            prev, public_prev = digest, public
        cursor.insert_rows("audit_chain", CHAIN_COLUMNS, rows)
        cursor.insert_rows("audit_owners", ("originator_id", "player_id"),
                           list(new_owners.items()))
        cursor.insert_rows("audit_checkpoints", ("position", "chained_position", "hash",
                                                 "key_id", "document"), checkpoints)

    @staticmethod
    def _last(cursor: Cursor) -> dict[str, Any]:
        """The newest row's position, both hashes and log time (genesis if none)."""
        found = cursor.execute("SELECT position, hash, public_hash, log_at FROM "
                               "{s}audit_chain ORDER BY position DESC LIMIT 1").fetchone()
        if not found:
            return {"position": 0, "hash": GENESIS.hex(), "public_hash": GENESIS.hex(),
                    "log_at": None}
        return {**dict(found), "log_at": timestamp(found["log_at"])}

    @staticmethod
    def _owners(cursor: Cursor, batch: list[tuple[int, Any]]) -> dict[str, str]:
        keys = {(str(stored.originator_id),) for _, (stored, _) in batch}
        found = cursor.rows_by_key("audit_owners", ("originator_id",), keys)
        return {key[0]: row["player_id"] for key, row in found.items()}

    def head(self) -> tuple[int, str]:
        """The newest chained position and its hash (0 and 32 zero bytes if none)."""
        with self.db.transaction(commit=False) as cursor:
            last = self._last(cursor)
        return last["position"], last["hash"]

    def heads(self) -> dict[str, Any]:
        """The newest chained position with both hashes: `hash` (stored bytes) and
        `publicHash` (the public records, export format 2)."""
        with self.db.transaction(commit=False) as cursor:
            last = self._last(cursor)
        return {"position": last["position"], "hash": last["hash"],
                "publicHash": last["public_hash"]}

    def position_at(self, at: Any) -> int:
        """The end of the log as of `at`: the last position whose log time is at or
        before it (0: none), i.e. the longest prefix stamped at or before `at`."""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute("SELECT MAX(position) AS last FROM {s}audit_chain "
                                   "WHERE log_at <= ?",
                                   (at.astimezone(timezone.utc),)).fetchone()
        return found["last"] or 0

    def rows(self, after: int, until: int, limit: int,
             player_id: str | None = None) -> list[dict[str, Any]]:
        """Chain rows with `after < position <= until` (of one player's aggregates,
        through the (player_id, position) index), in log order."""
        player = "player_id = ? AND " if player_id is not None else ""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}audit_chain WHERE {player}position > ? AND "
                "position <= ? ORDER BY position LIMIT ?",
                (*([player_id] if player else []), after, until, limit)).fetchall()
        return [dict(row) for row in found]

    def hash_before(self, position: int) -> str:
        """The chain hash just before `position` (the genesis hash at the start)."""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT hash FROM {s}audit_chain WHERE position < ? "
                "ORDER BY position DESC LIMIT 1", (position,)).fetchone()
        return found["hash"] if found else GENESIS.hex()

    def positions_between(self, start: Any, end: Any) -> tuple[int, int] | None:
        """The first and last positions whose log time is in [start, end) (either may
        be None): a contiguous stretch, since log times never go backwards."""
        clauses = [c for c, v in (("log_at >= ?", start), ("log_at < ?", end))
                   if v is not None]
        where = " AND ".join(clauses) or "1 = 1"
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT MIN(position) AS first, MAX(position) AS last "
                f"FROM {{s}}audit_chain WHERE {where}",
                tuple(v for v in (start, end) if v is not None)).fetchone()
        return (found["first"], found["last"]) if found["first"] is not None else None

    def checkpoints(self) -> list[dict[str, Any]]:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute("SELECT * FROM {s}audit_checkpoints "
                                   "ORDER BY position").fetchall()
        return [dict(row) for row in found]


def hash_of(prev: bytes, position: int, stored: Any) -> bytes:
    """The chain hash of a stored event (a Notification), given the one before it."""
    return link(prev, canonical(position, stored.originator_id, stored.originator_version,
                                stored.topic, stored.state))


def checkpoint_row(position: int, document: dict[str, Any]) -> tuple[Any, ...]:
    return (position, document["position"], document["hash"], document["keyId"],
            json.dumps(document, sort_keys=True))
