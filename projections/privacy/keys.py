"""The players' data keys: a table beside the log, never in it.

Not a view: nothing here comes from events, and a row can really be deleted.
Each player has at most one data key, stored wrapped by a master key
(domain/privacy/crypto.py). Destroying it deletes the row (SQLite overwrites
the freed bytes, `secure_delete`, and folds its write-ahead log back so no
copy stays in it) and remembers that the player was erased, so no new key is
ever made for them. Rotation re-wraps every key under the current master key.
"""

from __future__ import annotations

from typing import Any

from domain.kernel.clock import clock
from domain.privacy.crypto import MasterKeys, new_data_key
from projections.engine.database import ViewDatabase

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS {s}player_data_keys (player_id TEXT PRIMARY KEY, "
    "master_key_id TEXT NOT NULL, wrapped BYTEA NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}player_data_erasures (player_id TEXT PRIMARY KEY, "
    "erased_at {time} NOT NULL)",
)


class Erased(Exception):
    """The player's data key was destroyed: their personal data is gone for good."""


class DataKeys:
    def __init__(self, db: ViewDatabase, master: MasterKeys):
        self.db = db
        self.master = master
        with db.transaction() as cursor:
            for statement in SCHEMA:
                cursor.raw.execute(db.ddl(statement).replace(
                    "BYTEA", "BLOB" if db.dialect == "sqlite" else "BYTEA"))

    def key_of(self, player_id: str, *, create: bool = False) -> bytes | None:
        """The player's data key (None: none yet); raises Erased once destroyed."""
        with self.db.transaction(commit=create) as cursor:
            row = self._row(cursor, player_id)
            if row is None and create:
                key_id, wrapped = self.master.wrap(player_id, new_data_key())
                cursor.execute("INSERT INTO {s}player_data_keys (player_id, "
                               "master_key_id, wrapped) VALUES (?, ?, ?) "
                               "ON CONFLICT (player_id) DO NOTHING",
                               (player_id, key_id, wrapped))
                row = self._row(cursor, player_id)
        if row is None:
            return None
        return self.master.unwrap(player_id, row["master_key_id"], bytes(row["wrapped"]))

    def _row(self, cursor: Any, player_id: str) -> Any:
        if cursor.execute("SELECT 1 FROM {s}player_data_erasures WHERE player_id = ?",
                          (player_id,)).fetchone():
            raise Erased(player_id)
        return cursor.execute("SELECT master_key_id, wrapped FROM {s}player_data_keys "
                              "WHERE player_id = ?", (player_id,)).fetchone()

    def destroy(self, player_id: str) -> None:
        """Delete the player's data key for good (a repeat does nothing)."""
        sqlite = self.db.dialect == "sqlite"
        with self.db.transaction() as cursor:
            if sqlite:
                cursor.raw.execute("PRAGMA secure_delete = ON")
            cursor.execute("DELETE FROM {s}player_data_keys WHERE player_id = ?",
                           (player_id,))
            cursor.execute("INSERT INTO {s}player_data_erasures (player_id, erased_at) "
                           "VALUES (?, ?) ON CONFLICT (player_id) DO NOTHING",
                           (player_id, clock.now()))
        if sqlite:
            with self.db.transaction() as cursor:
                cursor.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def rotate(self) -> int:
        """Re-wrap every data key not under the current master key; how many."""
        with self.db.transaction() as cursor:
            rows = cursor.execute(
                "SELECT player_id, master_key_id, wrapped FROM {s}player_data_keys "
                "WHERE master_key_id <> ?", (self.master.current,)).fetchall()
            for row in rows:
                key = self.master.unwrap(row["player_id"], row["master_key_id"],
                                         bytes(row["wrapped"]))
                key_id, wrapped = self.master.wrap(row["player_id"], key)
                cursor.execute("UPDATE {s}player_data_keys SET master_key_id = ?, "
                               "wrapped = ? WHERE player_id = ?",
                               (key_id, wrapped, row["player_id"]))
        return len(rows)
