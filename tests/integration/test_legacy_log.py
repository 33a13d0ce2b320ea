"""Nothing stored is lost: a log written before the modules moved (issue 11),
with its old topics, loads into a fresh store on SQLite and PostgreSQL, every
aggregate in it loads (through its snapshot where it has one), and the views
rebuilt from it are the ones the old code built."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from api.bootstrap import bootstrap
from domain.audit.replay_run import ReplayRecord, replay_run_key
from tests.fixtures.legacy_log import (
    EXPECTED,
    REPLAY_LOG,
    TOML,
    balances_of,
    records,
    state,
    view_digests,
)


UTC = timezone.utc


def loaded(settings, tmp_path, stored):
    """Services over a fresh store that holds the stored records as they are."""
    config = tmp_path / "legacy.toml"
    config.write_text(TOML)
    services = bootstrap(settings.model_copy(update={"config": config}))
    for kind, recorder in (("event", services.ledger.recorder),
                           ("snapshot", services.ledger.snapshots.recorder)):
        recorder.insert_events([
            StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                        state(r)) for r in stored if r["kind"] == kind])
    return services


@pytest.fixture
def legacy(settings, tmp_path):
    services = loaded(settings, tmp_path, records())
    yield services
    services.close()


@pytest.fixture
def legacy_replay(settings, tmp_path):
    services = loaded(settings, tmp_path, records(REPLAY_LOG))
    yield services
    services.close()


def test_a_replay_requested_before_results_were_typed_answers_a_typed_record(
        legacy_replay):
    """Its Request record keeps the dict the HTTP layer showed (`requestedAt`)."""
    [stored] = [r for r in records(REPLAY_LOG) if r["topic"].endswith("Request.Recorded")
                and b'"kind":"replay"' in state(r)]
    assert b'"requestedAt"' in state(stored)
    until = datetime(2026, 1, 15, 11, 0, tzinfo=UTC)
    again = legacy_replay.replays.request("audit-old", "carol", until)
    assert again == ReplayRecord(
        replay_id=str(replay_run_key("audit-old")), request_id="audit-old", actor="carol",
        until=until,
        requested_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC), finished_at=None,
        verdict="running", position=None, differences=0, summary={}, error="")
    assert legacy_replay.replays.get("audit-old").verdict == "equal"  # the run's own
    assert legacy_replay.replays._threads == {}  # a repeat starts nothing


def test_every_aggregate_of_the_old_log_loads(legacy):
    ids = {UUID(r["originator_id"]) for r in records() if r["kind"] == "event"}
    for aggregate_id in sorted(ids):
        assert legacy.ledger.repository.get(aggregate_id).id == aggregate_id


def test_the_old_log_replays_to_the_same_balances_and_views(legacy):
    expected = json.loads(EXPECTED.read_text())
    assert balances_of(legacy) == expected["balances"]
    legacy.projections.catch_up()
    assert view_digests(legacy) == expected["views"]
