"""A scratch area beside the live views, where a replay builds its copies.

On PostgreSQL it is a schema of its own in the same database, reached
through a small pool of its own. On SQLite it is a file of its own next to the ledger's file: SQLite
index names are per file, so a table prefix would collide with the live
indexes. Either way the view SQL's `{s}` mechanism (projections/engine/database.py)
does the rest, and `drop` removes the whole area.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from projections.engine.database import ViewDatabase


class Scratch:
    def __init__(self, live: ViewDatabase):
        name = f"replay_{uuid.uuid4().hex[:12]}"
        self.live = live
        if isinstance(live.datastore, PostgresDatastore):
            self.location = name
            self._execute(f'CREATE SCHEMA "{name}"')
            to = live.datastore.pool.kwargs
            datastore = PostgresDatastore(to["dbname"], to["host"], to["port"], to["user"],
                                          to["password"], schema=name, pool_size=2)
        else:
            path = Path(live.datastore.pool.db_name)
            self.location = str(path.with_name(f"{path.name}.{name}"))
            datastore = SQLiteDatastore(self.location)
        self.db = ViewDatabase(datastore)

    def drop(self) -> None:
        """Remove the scratch area and everything in it."""
        self.release()
        if isinstance(self.db.datastore, PostgresDatastore):
            self._execute(f'DROP SCHEMA IF EXISTS "{self.location}" CASCADE')
            return
        for suffix in ("", "-wal", "-shm"):
            Path(self.location + suffix).unlink(missing_ok=True)

    def release(self) -> None:
        """Close the area's connections but keep it (to query it later)."""
        self.db.datastore.close()

    def _execute(self, statement: str) -> None:
        with self.live.datastore.transaction(commit=True) as cursor:
            cursor.execute(statement)
