"""The view database: one SQL dialect layer over the ledger's own datastore.

Views live in the same database as the events (the SQLite file, or the
PostgreSQL schema) and share the application's connection pool. View SQL is
written once, with `?` placeholders and `{s}` before each table name; this
module turns it into each dialect. Decimals are NUMERIC on PostgreSQL and exact
TEXT on SQLite, and always come back as Decimal.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

# The fewest `?` any SQLite build accepts in one statement (SQLITE_MAX_VARIABLE_NUMBER
# before 3.32); PostgreSQL takes up to 65,535.
MAX_PARAMS = 999
# Key types sent as one PostgreSQL array per column (the views' keys are text).
ARRAY_TYPES = {str: "text[]", int: "bigint[]"}

TYPES = {
    "sqlite": {"decimal": "TEXT", "time": "TEXT", "serial": "INTEGER"},
    "postgres": {"decimal": "NUMERIC", "time": "TIMESTAMPTZ", "serial": "BIGINT"},
}


class ViewDatabase:
    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore):
        self.datastore = datastore
        if isinstance(datastore, SQLiteDatastore):
            sqlite3.register_adapter(Decimal, str)
            sqlite3.register_adapter(datetime, datetime.isoformat)
            self.dialect = "sqlite"
            self.schema_prefix = ""
            self.tracking: TrackingRecorder = SQLiteTrackingRecorder(datastore)
            self.tracking_table = "tracking"
        else:
            self.dialect = "postgres"
            self.schema_prefix = f'"{datastore.schema}".'
            self.tracking_table = "projection_tracking"
            self.tracking = PostgresTrackingRecorder(
                datastore, tracking_table_name=self.tracking_table
            )
        self.tracking.create_table()

    def sql(self, statement: str) -> str:
        return _translate(statement, self.dialect, self.schema_prefix)

    def ddl(self, statement: str) -> str:
        """Table definitions: `{decimal}`, `{time}`, `{serial}` become dialect types."""
        return self.sql(statement.replace("{decimal}", TYPES[self.dialect]["decimal"])
                        .replace("{time}", TYPES[self.dialect]["time"])
                        .replace("{serial}", TYPES[self.dialect]["serial"]))

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield Cursor(self, cursor)

    def position(self, name: str) -> int:
        return self.tracking.max_tracking_id(name) or 0

    def positions(self, names: Iterable[str]) -> dict[str, int]:
        """Several views' positions in one query (0: never applied)."""
        wanted = list(names)
        found = {name: 0 for name in wanted}
        if not wanted:
            return found
        with self.transaction(commit=False) as cursor:
            rows = cursor.execute(
                f"SELECT application_name, notification_id FROM {{s}}{self.tracking_table} "
                f"WHERE application_name IN ({', '.join('?' for _ in wanted)})",
                tuple(wanted)).fetchall()
        for row in rows:
            found[row["application_name"]] = row["notification_id"]
        return found

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A read-only transaction whose every query sees the same moment.

        PostgreSQL reads each statement afresh by default (READ COMMITTED);
        a SQLite read transaction is a snapshot already. Turning a large
        table's rows into Python objects leaves the session idle between
        statements for longer than the library's idle-in-transaction timeout
        (5 s), so this read-only transaction lifts it for itself alone.
        """
        with self.transaction(commit=False) as cursor:
            if self.dialect == "postgres":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            yield cursor


class PositionMoved(Exception):
    """Another follower advanced the view first; this batch was not applied."""


class Cursor:
    """A cursor that speaks the view SQL dialect."""

    def __init__(self, db: ViewDatabase, raw: Any):
        self.db = db
        self.raw = raw

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> Cursor:
        self.raw.execute(self.db.sql(statement), params)
        return self

    def executemany(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.raw.executemany(self.db.sql(statement), rows)

    def insert_rows(self, table: str, columns: tuple[str, ...],
                    rows: list[tuple[Any, ...]]) -> None:
        """Append rows to `table` (no conflict expected): COPY on PostgreSQL, a
        fifth of the CPU per row of a pipelined INSERT each; INSERTs on SQLite."""
        if not rows:
            return
        if self.db.dialect == "sqlite":
            self.executemany(f"INSERT INTO {{s}}{table} ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' for _ in columns)})", rows)
            return
        with self.raw.copy(f"COPY {self.db.schema_prefix}{table} ({', '.join(columns)}) "
                           "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def fetchone(self) -> Any:
        return self.raw.fetchone()

    def fetchall(self) -> list[Any]:
        return self.raw.fetchall()

    def rows_by_key(self, table: str, columns: tuple[str, ...],
                    keys: Iterable[tuple[Any, ...]]) -> dict[tuple[Any, ...], Any]:
        """The rows of `table` whose `columns` equal one of `keys`, by key.

        One query per chunk of keys, each chunk under SQLite's parameter limit.
        A join on a VALUES list is answered from the key's index by both
        dialects (SQLite scans the whole table for `(a, b) IN (VALUES ...)`).
        """
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        if self.db.dialect == "postgres" and all(type(p) in ARRAY_TYPES for p in wanted[0]):
            return self._rows_by_key_arrays(table, columns, wanted)
        per_query = max(MAX_PARAMS // len(columns), 1)
        value = f"({', '.join('?' for _ in columns)})"
        on = " AND ".join(f"t.{c} = k.column{n}" for n, c in enumerate(columns, 1))
        found = {}
        for start in range(0, len(wanted), per_query):
            chunk = wanted[start:start + per_query]
            rows = self.execute(
                f"SELECT t.* FROM {{s}}{table} AS t JOIN "
                f"(VALUES {', '.join([value] * len(chunk))}) AS k ON {on}",
                tuple(part for key in chunk for part in key)).fetchall()
            found.update((tuple(row[c] for c in columns), row) for row in rows)
        return found

    def _rows_by_key_arrays(self, table: str, columns: tuple[str, ...],
                            wanted: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], Any]:
        """PostgreSQL: the keys as one array per column, so the statement's text is
        the same for any number of keys (parsed once, not once per batch)."""
        names = [f"column{n}" for n in range(1, len(columns) + 1)]
        on = " AND ".join(f"t.{c} = k.{name}" for c, name in zip(columns, names))
        arrays = ", ".join(f"?::{ARRAY_TYPES[type(part)]}" for part in wanted[0])
        rows = self.execute(
            f"SELECT t.* FROM {{s}}{table} AS t JOIN unnest({arrays})"
            f" AS k({', '.join(names)}) ON {on}",
            tuple([key[n] for key in wanted] for n in range(len(columns)))).fetchall()
        return {tuple(row[c] for c in columns): row for row in rows}

    def advance(self, name: str, expected: int, position: int) -> None:
        """Move view `name` from `expected` to `position` in this transaction.

        A compare-and-set: if another follower moved the view first, this
        raises PositionMoved and the transaction rolls back, so no event is
        ever applied twice, even with two followers running.
        """
        table = f"{{s}}{self.db.tracking_table}"
        if expected == 0:
            self.execute(f"INSERT INTO {table} (application_name, notification_id) "
                         "VALUES (?, ?) ON CONFLICT (application_name) DO NOTHING "
                         "RETURNING notification_id", (name, position))
        else:
            self.execute(f"UPDATE {table} SET notification_id = ? WHERE "
                         "application_name = ? AND notification_id = ? "
                         "RETURNING notification_id", (position, name, expected))
        if self.fetchone() is None:
            raise PositionMoved(f"view {name} is no longer at {expected}")

    def position(self, name: str) -> int:
        """View `name`'s position, as this transaction sees it (0: never applied)."""
        found = self.execute(f"SELECT notification_id FROM {{s}}{self.db.tracking_table} "
                             "WHERE application_name = ?", (name,)).fetchone()
        return found["notification_id"] if found else 0

    def forget(self, name: str) -> None:
        """Drop view `name`'s position, so it is rebuilt from zero."""
        self.execute(f"DELETE FROM {{s}}{self.db.tracking_table} "
                     "WHERE application_name = ?", (name,))


def equal_to(**columns: Any) -> tuple[list[str], list[Any]]:
    """`column = ?` clauses (and their values) for the columns given a value."""
    given = {name: value for name, value in columns.items() if value is not None}
    return [f"{name} = ?" for name in given], list(given.values())


def page_after(db: ViewDatabase, table: str, after: int | None, limit: int,
               **columns: Any) -> list[Any]:
    """Rows of `table` in `id` order after the `id` cursor, filtered by `equal_to`."""
    clauses, params = equal_to(**columns)
    with db.transaction(commit=False) as cursor:
        return cursor.execute(
            f"SELECT * FROM {{s}}{table} WHERE {' AND '.join(['id > ?', *clauses])} "
            "ORDER BY id LIMIT ?", (after or 0, *params, limit)).fetchall()


def decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


@lru_cache(maxsize=512)
def _translate(statement: str, dialect: str, prefix: str) -> str:
    statement = statement.replace("{s}", prefix)
    if dialect == "postgres":
        statement = statement.replace("%", "%%").replace("?", "%s")
    return statement
