"""Stored events by their log positions, for selections too sparse to read by range.

`select_notifications` reads a range of positions; a player's events are
scattered through the log, so reading their range would read everyone's.
This reads exactly the positions asked for, from the library's events table
(the same table and columns `select_notifications` reads, as
`Ledger.position_of` does), and returns the library's `Notification`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.sqlite import SQLiteApplicationRecorder

CHUNK = 500  # under SQLite's smallest limit of 999 parameters per statement


def stored_at(recorder: Any, positions: Sequence[int]) -> dict[int, Notification]:
    found: dict[int, Notification] = {}
    for start in range(0, len(positions), CHUNK):
        found.update(_chunk(recorder, positions[start:start + CHUNK]))
    return found


def _uuid(recorder: Any, value: Any) -> Any:
    """SQLite keeps ids as text (the recorder converts them); PostgreSQL as UUIDs."""
    convert = getattr(recorder, "convert_originator_id", None)
    return convert(value) if convert else value


def _chunk(recorder: Any, positions: Sequence[int]) -> dict[int, Notification]:
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = (f"SELECT rowid AS notification_id, * FROM "
                     f"{recorder.events_table_name} WHERE rowid IN "
                     f"({', '.join('?' for _ in positions)})")
        params: Any = list(positions)
    else:
        statement = (f'SELECT * FROM "{recorder.datastore.schema}".'
                     f'"{recorder.events_table_name}" WHERE notification_id = ANY(%s)')
        params = (list(positions),)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return {row["notification_id"]: Notification(
        id=row["notification_id"],
        originator_id=_uuid(recorder, row["originator_id"]),
        originator_version=row["originator_version"], topic=row["topic"],
        state=bytes(row["state"])) for row in rows}
