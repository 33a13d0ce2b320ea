"""The log's recorders: a batch is appended, and its reads checked, at once.

The group-commit decider decides a batch on copies of aggregates it read
earlier, so before the batch is saved every aggregate it read but does not
write must still be at the version it read (`expect`). With the library's
recorders that check is a query of its own and the append four round trips
more (BEGIN, LOCK, INSERT, COMMIT). On PostgreSQL both happen here in one
autocommit call of a function, under the same table lock the library takes (so
positions still commit in log order and a follower never passes a gap); on
SQLite, inside the append's own transaction. Either way the check and the
append see one state: nothing can move between them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

STALE = "CL001"  # the SQLSTATE the append function raises on a stale read


class StaleReads(Exception):
    """An aggregate the batch read (and does not write) has moved since; nothing
    was saved."""


def moved(expect: Mapping[UUID, int], stored: Mapping[UUID, int]) -> list[UUID]:
    """The ids whose stored version (0: absent) is not the one read."""
    return [i for i, version in expect.items() if stored.get(i, 0) != version]


class ChecksReads:
    """What both recorders offer the writer besides appending."""

    def versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        raise NotImplementedError

    def check(self, expect: Mapping[UUID, int]) -> None:
        """StaleReads if an aggregate read is no longer at the version read."""
        if expect and moved(expect, self.versions(list(expect))):
            raise StaleReads("aggregates moved since the batch read them")


class PostgresLog(ChecksReads, PostgresApplicationRecorder):
    """Appends through `<schema>.ledger_append`: lock, check, insert, in one call."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        id_type = SQL(self.datastore.originator_id_type)
        function = SQL("{}.ledger_append").format(schema)
        self._create_append = SQL(
            "CREATE OR REPLACE FUNCTION {function}(ids {id_type}[], versions bigint[], "
            "topics text[], states bytea[], read_ids {id_type}[], read_versions bigint[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
            "BEGIN "
            "  SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "  LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "  IF EXISTS (SELECT 1 FROM unnest(read_ids, read_versions) AS r(id, version) "
            "      WHERE r.version <> COALESCE((SELECT max(e.originator_version) "
            "          FROM {schema}.{table} e WHERE e.originator_id = r.id), 0)) THEN "
            "    RAISE EXCEPTION 'aggregates moved since the batch read them' "
            "      USING ERRCODE = '{stale}'; "
            "  END IF; "
            "  NOTIFY {channel}; "
            "  RETURN QUERY INSERT INTO {schema}.{table} "
            "    (originator_id, originator_version, topic, state) "
            "    SELECT * FROM unnest(ids, versions, topics, states) "
            "    RETURNING notification_id; "
            "END $body$").format(
                function=function, id_type=id_type, schema=schema, table=table,
                lock_timeout=SQL(str(self.datastore.lock_timeout)), stale=SQL(STALE),
                channel=Identifier(self.channel_name))
        self._append = SQL("SELECT * FROM {}(%b, %b, %b, %b, %b, %b)").format(function)
        self._versions = SQL(
            "SELECT originator_id AS id, max(originator_version) AS version "
            "FROM {}.{} WHERE originator_id = ANY(%b) GROUP BY originator_id",
        ).format(schema, table)

    def _create_table(self, curs: Any) -> None:
        super()._create_table(curs)
        curs.execute(self._create_append)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], *,
                      expect: Mapping[UUID, int] | None = None, **_: Any,
                      ) -> Sequence[int] | None:
        """The events' log positions; StaleReads if an `expect`ed version moved."""
        if not stored_events:
            self.check(expect or {})
            return None
        expect = expect or {}
        params = ([e.originator_id for e in stored_events],
                  [e.originator_version for e in stored_events],
                  [e.topic for e in stored_events], [e.state for e in stored_events],
                  list(expect), list(expect.values()))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            try:
                curs.execute(self._append, params, prepare=True)
            except psycopg.Error as error:
                if error.sqlstate == STALE:
                    raise StaleReads(str(error)) from None
                raise
            return [row["ledger_append"] for row in curs.fetchall()]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each aggregate's stored version (absent: not stored), in one statement."""
        if not ids:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._versions, (list(ids),), prepare=True)
            return {row["id"]: row["version"] for row in curs.fetchall()}


class SQLiteLog(ChecksReads, SQLiteApplicationRecorder):
    """Checks the batch's reads inside the transaction that appends it."""

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], *,
                       expect: Mapping[UUID, int] | None = None, **kwargs: Any,
                       ) -> Sequence[int] | None:
        # The insert first: it takes SQLite's write lock, so nothing moves between
        # the check and the commit (the ids checked are not among those written).
        positions = super()._insert_events(c, stored_events, **kwargs)
        if expect and moved(expect, self._versions_in(c, list(expect))):
            raise StaleReads("aggregates moved since the batch read them")
        return positions

    def versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each aggregate's stored version (absent: not stored), in one query."""
        if not ids:
            return {}
        with self.datastore.transaction(commit=False) as c:
            return self._versions_in(c, ids)

    def _versions_in(self, c: SQLiteCursor, ids: Sequence[UUID]) -> dict[UUID, int]:
        c.execute(f"SELECT originator_id AS id, MAX(originator_version) AS version "
                  f"FROM {self.events_table_name} WHERE originator_id IN "
                  f"({', '.join('?' for _ in ids)}) GROUP BY originator_id",
                  [i.hex for i in ids])
        return {UUID(row["id"]): row["version"] for row in c.fetchall()}
