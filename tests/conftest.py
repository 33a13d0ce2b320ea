"""Fixtures shared by every test: one backend-parametrised ledger per test.

Each test runs on SQLite (a file in its tmp dir) and on PostgreSQL (a schema
of its own in a database this session creates and drops), so runs never see
each other's data. CASINO_LEDGER_TEST_BACKENDS narrows the backends
(default "sqlite,postgres"); a PostgreSQL that cannot be reached fails the
tests, it never skips them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import psycopg
import pytest
from psycopg import sql

from api.bootstrap import Services, bootstrap
from api.config.settings import Settings
from domain.kernel.clock import clock

# Local blockchains (eth-tester, anvil, Bitcoin regtest) as fixtures.
pytest_plugins = ["tests.chains.fixtures"]

BACKENDS = [b.strip() for b in
            os.environ.get("CASINO_LEDGER_TEST_BACKENDS", "sqlite,postgres").split(",")
            if b.strip()]
POSTGRES_SERVER = os.environ.get("CASINO_LEDGER_TEST_POSTGRES",
                                 "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_SECRET = "test-signing-key-" + "0" * 32


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only are dropped when PostgreSQL is not a backend."""
    if "postgres" not in BACKENDS:
        items[:] = [i for i in items if not i.get_closest_marker("postgres_only")]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database for this test session, dropped at the end."""
    name = f"casino_ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = POSTGRES_SERVER.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    # Dropped by a process of its own that the session does not wait for: a
    # DROP DATABASE forces a checkpoint, half a minute at the end of a full run.
    subprocess.Popen([sys.executable, "-c", DROP, POSTGRES_SERVER, name],
                     start_new_session=True, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)


DROP = """
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                 .format(sql.Identifier(sys.argv[2])))
"""


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.sqlite3"
    database = request.getfixturevalue("postgres_database")
    return f"{database}?schema=t_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret=TEST_SECRET)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = bootstrap(settings)
    yield built
    built.close()


@pytest.fixture
def frozen_clock():
    """The ledger's clock, stopped; tests move it with .freeze() and .advance()."""
    clock.freeze(datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc))
    yield clock
    clock.resume()
