"""Exports of the log on SQLite and PostgreSQL: selections, offline verification,
the record of each export, and memory that stays flat whatever the size."""

from __future__ import annotations

import json
import tracemalloc
from datetime import timedelta, timezone

import pytest
from pydantic import SecretStr

from domain.audit.export_verify import verify_export
from projections.audit.export import Selection
from tests.factories import caught_up, credit, debit, fresh_services, set_limits
from tests.integration.audit_helpers import bulk_credits, corrupt, export_to, verified


def history(services):
    credit(services, "p1", "BTC", "1.5")
    credit(services, "p2", "USDT", "10")
    debit(services, "p1", "BTC", "0.5")
    set_limits(services, "p1", daily={"USDT": "100"})
    return caught_up(services)


def records(path):
    return [json.loads(line) for line in path.read_text().splitlines()[:-1]]


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_a_full_export_verifies_offline(services, tmp_path, file_format):
    history(services)
    path = export_to(services, tmp_path / f"all.{file_format}", file_format=file_format)
    report = verified(services, path)
    assert report.ok, report.problems
    assert report.count == report.manifest["lastPosition"]  # every event up to the head
    assert report.manifest["logHead"]["position"] == report.count


def test_a_player_export_holds_every_event_of_their_aggregates(services, tmp_path):
    history(services)
    path = export_to(services, tmp_path / "p1.jsonl", Selection(player_id="p1"),
                     format_version=1)
    assert verified(services, path).ok
    topics = [r["topic"].split(":")[1] for r in records(path)]
    assert "Player.LimitsSet" in topics  # its event carries no player id of its own
    assert {r["playerId"] for r in records(path)} == {"p1"}
    assert topics.count("Wallet.Credited") == 1 and topics.count("Wallet.Debited") == 1


def test_a_types_selection_exports_only_those_types(services, tmp_path):
    history(services)
    path = export_to(services, tmp_path / "t.jsonl",
                     Selection(types=("Wallet.Credited", "domain.wallet.model:Wallet.Debited")),
                     format_version=1)
    assert verified(services, path).ok
    assert [r["topic"] for r in records(path)] == [
        "domain.wallet.model:Wallet.Credited", "domain.wallet.model:Wallet.Credited",
        "domain.wallet.model:Wallet.Debited"]


def test_a_time_range_exports_the_events_stamped_in_it(services, tmp_path, frozen_clock):
    start = frozen_clock.now()
    credit(services, "p1", "BTC", "1")
    frozen_clock.advance(timedelta(hours=1))
    credit(services, "p1", "BTC", "2")
    frozen_clock.advance(timedelta(hours=1))
    credit(services, "p1", "BTC", "3")
    caught_up(services)
    paris = timezone(timedelta(hours=1))  # any zone: compared in UTC
    path = export_to(services, tmp_path / "hour.jsonl",
                     Selection((start + timedelta(minutes=30)).astimezone(paris),
                               start + timedelta(minutes=90)), format_version=1)
    assert verified(services, path).ok
    states = [r["state"] for r in records(path)]
    assert len(states) == 2 and '"2.00000000"' in states[0]  # its Credited and Request


def test_format_2_records_carry_public_names_and_plain_payloads(services, tmp_path,
                                                               frozen_clock):
    history(services)
    path = export_to(services, tmp_path / "p1.jsonl", Selection(player_id="p1"))
    assert verified(services, path).ok
    found = records(path)
    names = [r["name"] for r in found]
    assert "player.limits_set" in names and names.count("wallet.credited") == 1
    assert {r["playerId"] for r in found} == {"p1"}
    credited = found[names.index("wallet.credited")]
    assert credited["payload"]["amount"] == "1.50000000" and credited["version"] == 1
    assert set(credited) == {"position", "after", "time", "name", "version", "playerId",
                             "aggregateId", "aggregateVersion", "payload", "prevHash",
                             "hash"}
    assert credited["time"].endswith("Z") and "_type_" not in path.read_text()
    assert "domain." not in path.read_text()  # no module path anywhere
    manifest = json.loads(path.read_text().splitlines()[-1])["manifest"]
    assert manifest["format"] == "casino-ledger-audit-export/2"


def test_format_2_selects_types_by_public_name_too(services, tmp_path):
    history(services)
    path = export_to(services, tmp_path / "t.jsonl",
                     Selection(types=("wallet.credited", "Wallet.Debited")))
    assert verified(services, path).ok
    assert [r["name"] for r in records(path)] == [
        "wallet.credited", "wallet.credited", "wallet.debited"]
    manifest = json.loads(path.read_text().splitlines()[-1])["manifest"]
    assert manifest["selection"]["types"] == ["wallet.credited", "wallet.debited"]


def test_each_export_is_recorded_as_an_event_with_who_what_and_when(services, tmp_path):
    history(services)
    head = services.ledger.head()
    path = export_to(services, tmp_path / "p2.jsonl", Selection(player_id="p2"), actor="reg-7")
    manifest = verified(services, path).manifest
    note = services.ledger.recorder.select_notifications(start=head, limit=1,
                                                         inclusive_of_start=False)[0]
    recorded = services.ledger.mapper.to_domain_event(note)
    assert note.topic.endswith("AuditExport.Recorded")
    assert (recorded.export_id, recorded.actor, recorded.role) == (
        manifest["exportId"], "reg-7", "regulator")
    assert recorded.selection["playerId"] == "p2" and recorded.up_to == head


def test_an_export_of_an_altered_store_fails_at_the_altered_position(services, tmp_path):
    history(services)
    rows = services.audit_chain.rows(0, 100, 100)
    debited = [r for r in rows if r["topic"].endswith("Wallet.Debited")][0]["position"]
    corrupt(services, debited, b'"0.50000000"', b'"0.05000000"')
    report = verified(services, export_to(services, tmp_path / "x.jsonl"))
    assert [p.position for p in report.problems] == [debited]


def test_after_a_key_rotation_old_exports_still_verify_with_the_old_key(database_url,
                                                                        tmp_path):
    old = fresh_services(database_url, audit_signing_key=SecretStr("11" * 32))
    history(old)
    before = export_to(old, tmp_path / "before.jsonl")
    old_key = old.audit_signer.public
    old.close()
    new = fresh_services(database_url, audit_signing_key=SecretStr("22" * 32))
    try:
        after = export_to(new, tmp_path / "after.jsonl")
        assert verify_export(before, old_key).ok
        assert not verify_export(before, new.audit_signer.public).ok
        assert verified(new, after).ok
        assert verified(new, after).manifest["keyId"] == new.audit_signer.key_id
        assert new.audit_signer.key_id != verified(new, before).manifest["keyId"]
    finally:
        new.close()


def export_peak(services, path) -> int:
    """The largest memory an export took while streaming to a file (tracemalloc)."""
    caught_up(services)
    tracemalloc.start()
    try:
        export_to(services, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_whatever_the_size_of_the_export(services, tmp_path):
    bulk_credits(services, "p1", 2000)
    small = export_peak(services, tmp_path / "small.jsonl")
    bulk_credits(services, "p1", 8000)
    large = export_peak(services, tmp_path / "large.jsonl")
    assert verified(services, tmp_path / "large.jsonl").count > 10000
    assert large < small * 1.25, (small, large)  # five times the events, same peak


@pytest.mark.parametrize("selection", [
    {"types": ("Wallet.Creditd",)}, {"types": ("domain.wallet.model:Nope.Happened",)},
    {"player_id": ""}, {"player_id": "  "}])
def test_a_bad_selection_is_refused_before_anything_is_recorded(selection):
    from domain.kernel.errors import InvalidInput
    with pytest.raises(InvalidInput):
        Selection(**selection)


def test_from_after_to_is_refused():
    from datetime import datetime

    from domain.kernel.errors import InvalidInput
    at = datetime(2026, 1, 15, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput):
        Selection(start=at, end=at - timedelta(hours=1))
