"""Profiles: each player's sealed profile as the log last recorded it.

Only sealed text is kept (the clear profile is opened on read, with the
player's data key, by api/privacy_wiring.py); an erased profile keeps no text
at all, and a rebuild from the log erases it again.
"""

from __future__ import annotations

from typing import Any

from domain.privacy.model import Profile
from projections.engine.database import Cursor, timestamp
from projections.engine.view import View

UPSERT = ("INSERT INTO {s}profiles (player_id, sealed, erased, updated_at, position) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (player_id) DO UPDATE SET "
          "sealed = excluded.sealed, erased = excluded.erased, "
          "updated_at = excluded.updated_at, position = excluded.position")


class ProfilesView(View):
    name = "profiles"
    tables = ("profiles",)
    order_by = {"profiles": "player_id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}profiles (player_id TEXT PRIMARY KEY, "
        "sealed TEXT, erased BOOLEAN NOT NULL, updated_at {time} NOT NULL, "
        "position BIGINT NOT NULL)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows = {event.player_id: (event.player_id, getattr(event, "sealed", None),
                                  isinstance(event, Profile.Erased), event.timestamp, position)
                for position, event in batch
                if isinstance(event, (Profile.Recorded, Profile.Erased))}
        cursor.executemany(UPSERT, list(rows.values()))

    def of(self, player_id: str) -> dict[str, Any] | None:
        with self.db.transaction(commit=False) as cursor:
            row = cursor.execute("SELECT * FROM {s}profiles WHERE player_id = ?",
                                 (player_id,)).fetchone()
        if row is None:
            return None
        return {"sealed": row["sealed"], "erased": bool(row["erased"]),
                "updatedAt": timestamp(row["updated_at"]), "position": row["position"]}
