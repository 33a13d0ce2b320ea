"""Nothing stored is lost: a log written before the modules moved (issue 11),
with its old topics, loads into a fresh store on SQLite and PostgreSQL, every
aggregate in it loads (through its snapshot where it has one), and the views
rebuilt from it are the ones the old code built."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from api.bootstrap import bootstrap
from tests.fixtures.legacy_log import (
    EXPECTED,
    TOML,
    balances_of,
    records,
    state,
    view_digests,
)


@pytest.fixture
def legacy(settings, tmp_path):
    config = tmp_path / "legacy.toml"
    config.write_text(TOML)
    services = bootstrap(settings.model_copy(update={"config": config}))
    stored = records()
    for kind, recorder in (("event", services.ledger.recorder),
                           ("snapshot", services.ledger.snapshots.recorder)):
        recorder.insert_events([
            StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                        state(r)) for r in stored if r["kind"] == kind])
    yield services
    services.close()


def test_every_aggregate_of_the_old_log_loads(legacy):
    ids = {UUID(r["originator_id"]) for r in records() if r["kind"] == "event"}
    for aggregate_id in sorted(ids):
        assert legacy.ledger.repository.get(aggregate_id).id == aggregate_id


def test_the_old_log_replays_to_the_same_balances_and_views(legacy):
    expected = json.loads(EXPECTED.read_text())
    assert balances_of(legacy) == expected["balances"]
    legacy.projections.catch_up()
    assert view_digests(legacy) == expected["views"]
