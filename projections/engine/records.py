"""One row per aggregate, rewritten as its events arrive: the cashier views' shape.

A view names its table, its columns (the first is the aggregate id, the
second the log position where it was created, a stable order for listing)
and which hold decimals or times; `upsert` writes rows, `load` reads one
back for a later event, `select` lists them as dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.engine.database import Cursor, decimal, timestamp


class RecordTable:
    def __init__(self, table: str, columns: tuple[str, ...], *,
                 decimals: Iterable[str] = (), times: Iterable[str] = ()):
        self.table = table
        self.columns = columns
        self.decimals = set(decimals)
        self.times = set(times)
        names = ", ".join(columns)
        self.upsert_sql = (
            f"INSERT INTO {{s}}{table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT ({columns[0]}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns[1:]))

    def ddl(self, types: dict[str, str]) -> str:
        """CREATE TABLE with each column's type (TEXT unless given)."""
        cols = [f"{c} {self._type(c, types)}" for c in self.columns]
        return (f"CREATE TABLE IF NOT EXISTS {{s}}{self.table} ("
                f"{', '.join(cols)}, PRIMARY KEY ({self.columns[0]}))")

    def _type(self, column: str, types: dict[str, str]) -> str:
        if column in self.decimals:
            return "{decimal}"
        if column in self.times:
            return "{time}"
        return types.get(column, "TEXT")

    def upsert(self, cursor: Cursor, rows: Iterable[dict[str, Any]]) -> None:
        cursor.executemany(self.upsert_sql, [tuple(r[c] for c in self.columns)
                                             for r in rows])

    def load(self, cursor: Cursor, key: str) -> dict[str, Any]:
        found = cursor.execute(f"SELECT * FROM {{s}}{self.table} WHERE "
                               f"{self.columns[0]} = ?", (key,)).fetchone()
        return self.typed(found)

    def typed(self, row: Any) -> dict[str, Any]:
        out = {c: row[c] for c in self.columns}
        for c in self.columns:
            if out[c] is not None and c in self.decimals:
                out[c] = decimal(out[c])
            elif out[c] is not None and c in self.times:
                out[c] = timestamp(out[c])
        return out

    def select(self, cursor: Cursor, where: list[str], params: list[Any], *,
               order: str, limit: int | None = None) -> list[dict[str, Any]]:
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        tail = f" LIMIT {int(limit)}" if limit else ""
        found = cursor.execute(f"SELECT * FROM {{s}}{self.table}{clause} ORDER BY "
                               f"{order}{tail}", tuple(params)).fetchall()
        return [self.typed(row) for row in found]
