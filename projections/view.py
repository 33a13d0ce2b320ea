"""A view: tables built from the event log, with the position they reflect.

A view applies a batch of events and moves its position (compare-and-set from
the position the batch started at) in the same transaction, so each event is
applied exactly once, even when two followers race. Dropping the tables and the position
rebuilds the view from zero.
"""

from __future__ import annotations

from typing import Any, ClassVar

from projections.database import Cursor, ViewDatabase


class View:
    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    schema: ClassVar[tuple[str, ...]]
    order_by: ClassVar[dict[str, str]]

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

        A view has none; a reaction (projections/reaction.py) runs commands
        here. Should it stop half-way, the batch is reacted to again, so those
        commands must be idempotent (their requestIds make them so).
        """

    def position(self) -> int:
        return self.db.position(self.name)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, in a fixed order, to compare two builds."""
        with self.db.transaction(commit=False) as cursor:
            return {
                table: [tuple(row) if not isinstance(row, dict) else tuple(row.values())
                        for row in cursor.execute(
                            f"SELECT * FROM {{s}}{table} ORDER BY {self.order_by[table]}"
                        ).fetchall()]
                for table in self.tables
            }
