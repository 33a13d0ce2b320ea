"""The relay's place in the log, and the lease that lets one relay at a time publish.

The position is a row of the views' tracking table (`relay:<stream>`), moved
with the views' compare-and-set (`Cursor.advance`) and only once the broker
has acknowledged every message up to it: a relay that stops anywhere resumes
from an acknowledged position, and two relays never both record one step.

The lease is a row of `relay_leases`: who holds it and until when (epoch
milliseconds), and the holder's last error (shown with its lag in
`GET /v1/admin/projections`). A relay publishes only while it holds an
unexpired lease, renewing it as it goes; a second relay waits, and takes over
once a dead holder's lease has expired. The lease keeps two relays from
publishing at once; should one stall past its lease, JetStream's expected
last sequence still refuses its stale publishes (projections/relay/broker.py).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from projections.engine.database import ViewDatabase

TABLE = ("CREATE TABLE IF NOT EXISTS {s}relay_leases (name TEXT PRIMARY KEY, "
         "holder TEXT NOT NULL, expires_ms BIGINT NOT NULL, error TEXT, "
         "retries BIGINT NOT NULL DEFAULT 0)")
TAKE = ("INSERT INTO {s}relay_leases AS lease (name, holder, expires_ms, error) "
        "VALUES (?, ?, ?, NULL) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
        "expires_ms = excluded.expires_ms WHERE lease.holder = excluded.holder "
        "OR lease.expires_ms < ? RETURNING holder")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class RelayPlace:
    def __init__(self, db: ViewDatabase, stream: str, *, lease_seconds: int):
        self.db = db
        self.name = f"relay:{stream}"
        self.holder = uuid.uuid4().hex
        self.lease_ms = lease_seconds * 1000
        self.held_until = 0  # this relay's lease, as last taken (epoch ms)
        create_table(db)

    def position(self) -> int:
        return self.db.position(self.name)

    def advance(self, expected: int, position: int) -> None:
        """Record `position` (acknowledged by the broker); PositionMoved if another
        relay moved it first."""
        with self.db.transaction() as cursor:
            cursor.advance(self.name, expected, position)

    def take(self) -> bool:
        """Take or renew the lease; False while another relay holds it."""
        now = now_ms()
        with self.db.transaction() as cursor:
            taken = cursor.execute(TAKE, (self.name, self.holder, now + self.lease_ms,
                                          now)).fetchone()
        self.held_until = now + self.lease_ms if taken else 0
        return taken is not None

    def holds(self, margin_ms: int = 0) -> bool:
        """Whether this relay's lease runs for at least `margin_ms` more."""
        return self.held_until - margin_ms > now_ms()

    def release(self) -> None:
        with self.db.transaction() as cursor:
            cursor.execute("UPDATE {s}relay_leases SET expires_ms = 0 WHERE name = ? AND "
                           "holder = ?", (self.name, self.holder))
        self.held_until = 0

    def note(self, error: str | None) -> None:
        """The holder's last error (None: working again), counted, for the status."""
        with self.db.transaction() as cursor:
            cursor.execute("UPDATE {s}relay_leases SET error = ?, retries = retries + ? "
                           "WHERE name = ? AND holder = ?",
                           (error, 0 if error is None else 1, self.name, self.holder))


def create_table(db: ViewDatabase) -> None:
    with db.transaction() as cursor:
        cursor.raw.execute(db.ddl(TABLE))


def relay_status(db: ViewDatabase, head: int) -> list[dict[str, Any]]:
    """Each relay that has run on this log: its position, the lag, its last
    error and the failures it retried."""
    with db.transaction(commit=False) as cursor:
        leases = cursor.execute("SELECT name, error, retries FROM {s}relay_leases "
                                "ORDER BY name").fetchall()
    positions = db.positions(row["name"] for row in leases)
    return [{"name": row["name"], "position": positions[row["name"]], "head": head,
             "lag": head - positions[row["name"]], "error": row["error"],
             "retries": row["retries"]} for row in leases]
