"""A view: tables built from the event log, with the position they reflect.

A view applies a batch of events and moves its position (compare-and-set from
the position the batch started at) in the same transaction, so each event is
applied exactly once, even when two followers race. Dropping the tables and the position
rebuilds the view from zero.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from projections.engine.database import Cursor, ViewDatabase


class View:
    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    schema: ClassVar[tuple[str, ...]]
    order_by: ClassVar[dict[str, str]]
    # True: `apply` gets (position, (stored Notification, event)) pairs, for a
    # view that needs the bytes as stored (the audit hash chain).
    stored: ClassVar[bool] = False

    def __init__(self, db: ViewDatabase):
        self.db = db
        with db.transaction() as cursor:
            self.create(cursor)

    def create(self, cursor: Cursor) -> None:
        for statement in self.schema:
            cursor.raw.execute(self.db.ddl(statement))

    def drop(self, cursor: Cursor) -> None:
        for table in self.tables:
            cursor.raw.execute(self.db.sql(f"DROP TABLE IF EXISTS {{s}}{table}"))
        cursor.forget(self.name)

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        """Apply (position, event) pairs in log order."""
        raise NotImplementedError

    def react(self, batch: list[tuple[int, Any]]) -> None:
        """Effects outside the view's transaction, before its position moves.

        A view has none; a reaction (projections/engine/reaction.py) runs commands
        here. Should it stop half-way, the batch is reacted to again, so those
        commands must be idempotent (their requestIds make them so).
        """

    def prepare(self, batch: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        """What `apply` gets: the batch, plus anything read outside the view's tables.

        Runs before the view's transaction opens: on SQLite, a read through
        another connection while the view holds the one writer connection
        would queue behind a writer that waits for it. Most views need nothing.
        """
        return batch

    def position(self) -> int:
        return self.db.position(self.name)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, in a fixed order, to compare two builds."""
        with self.db.transaction(commit=False) as cursor:
            return {table: [tuple(record.values()) for record in self.records(cursor, table)]
                    for table in self.tables}

    def snapshot(self) -> tuple[int, dict[str, list[dict[str, Any]]]]:
        """The position and every record, read at one moment (a follower may be writing)."""
        with self.db.snapshot() as cursor:
            return (cursor.position(self.name),
                    {table: self.records(cursor, table) for table in self.tables})

    def records(self, cursor: Cursor, table: str) -> list[dict[str, Any]]:
        """One table's rows as {column: value}, in its fixed order (`order_by`, its key)."""
        found = cursor.execute(
            f"SELECT * FROM {{s}}{table} ORDER BY {self.order_by[table]}").fetchall()
        return [dict(row) if isinstance(row, dict) else {k: row[k] for k in row.keys()}
                for row in found]

    def on(self, db: ViewDatabase) -> View:
        """The same view over another database (a replay's scratch area).

        A copy, so a view built with more than a database (a reaction's
        ledger) keeps what it was given; its tables are created there.
        """
        replica = copy.copy(self)
        replica.db = db
        with db.transaction() as cursor:
            replica.create(cursor)
        return replica
