"""The audit hash chain on SQLite and PostgreSQL: computed once per event, the same
after a rebuild, re-walked by `audit verify`, and signed by checkpoints."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from domain.audit.hash_chain import GENESIS, canonical, link, public_canonical
from domain.audit.public_record import later, public_record
from domain.audit.signing import public_hex
from projections.audit.verify import verify_store
from schedulers.audit.checkpoint import take_checkpoint
from domain.kernel.periods import Period
from tests.factories import adjust, caught_up, credit, debit, fresh_services, set_limits
from tests.integration.audit_helpers import bulk_credits, corrupt

OLD_SEED, NEW_SEED = "11" * 32, "22" * 32


def history(services):
    credit(services, "p1", "BTC", "1.5")
    credit(services, "p2", "USDT", "10")
    debit(services, "p1", "BTC", "0.5")
    set_limits(services, "p1", daily={"USDT": "100"})
    return caught_up(services)


def chain_rows(services):
    return services.audit_chain.dump()["audit_chain"]


def verify(services):
    keys = services.settings.audit_public_keys(services.audit_signer)
    return verify_store(services.ledger, services.audit_chain, keys)


def test_every_stored_event_is_chained_once_in_log_order(services):
    history(services)
    notes = services.ledger.recorder.select_notifications(start=None, limit=100)
    rows = services.audit_chain.rows(0, services.ledger.head(), 100)
    assert [r["position"] for r in rows] == [n.id for n in notes]
    prev = GENESIS
    for note, row in zip(notes, rows):
        expected = link(prev, canonical(note.id, note.originator_id,
                                        note.originator_version, note.topic, note.state))
        assert (row["prev_hash"], row["hash"]) == (prev.hex(), expected.hex())
        prev = expected


def test_the_public_chain_hashes_each_public_record_in_log_order(services):
    """Format 2's chain: SHA-256(previous public hash || canonical JSON of the public
    record), with log times that never go backwards."""
    history(services)
    notes = services.ledger.recorder.select_notifications(start=None, limit=100)
    rows = services.audit_chain.rows(0, services.ledger.head(), 100)
    prev, log_time = GENESIS, None
    for note, row in zip(notes, rows):
        event = services.ledger.mapper.to_domain_event(note)
        log_time = later(log_time, event.timestamp)
        public = public_record(note.id, log_time, event, row["player_id"])
        assert "_type_" not in json.dumps(public) and public["name"].islower()
        expected = link(prev, public_canonical(public))
        assert (row["public_prev_hash"], row["public_hash"]) == (prev.hex(), expected.hex())
        prev = expected
    assert services.audit_chain.heads() == {"position": rows[-1]["position"],
                                            "hash": rows[-1]["hash"],
                                            "publicHash": prev.hex()}


def test_a_player_rewritten_in_the_chain_table_breaks_the_public_chain(services):
    history(services)
    caught_up(services)
    row = [r for r in services.audit_chain.rows(0, 100, 100) if r["player_id"] == "p1"][0]
    with services.audit_chain.db.transaction(commit=True) as cursor:
        cursor.execute("UPDATE {s}audit_chain SET player_id = ? WHERE position = ?",
                       ("p2", row["position"]))
    report = verify(services)
    assert report["firstBroken"]["position"] == row["position"]
    assert "public" in report["firstBroken"]["reason"]


def test_a_checkpoint_signs_both_chain_heads(services):
    history(services)
    taken = take_checkpoint(services.ledger, services.projections, services.audit_signer,
                            "a").result.document
    assert taken["type"] == "casino-ledger-checkpoint/2"
    caught_up(services)
    row = services.audit_chain.rows(taken["position"] - 1, taken["position"], 1)[0]
    assert (taken["hash"], taken["publicHash"]) == (row["hash"], row["public_hash"])


def test_later_events_of_a_player_aggregate_name_their_player(services):
    history(services)
    rows = services.audit_chain.rows(0, services.ledger.head(), 100)
    limits = [r for r in rows if r["topic"].endswith("Player.LimitsSet")]
    assert [r["player_id"] for r in limits] == ["p1"]
    requests = [r for r in rows if r["topic"].endswith("Request.Recorded")]
    assert requests and all(r["player_id"] is None for r in requests)


def test_the_chain_rebuilt_from_zero_is_identical(services):
    history(services)
    before = chain_rows(services)
    services.projections.rebuild("audit_chain")
    assert chain_rows(services) == before
    assert len(before) == services.ledger.head()


def test_verify_of_a_healthy_store_reports_no_broken_link(services):
    history(services)
    take_checkpoint(services.ledger, services.projections, services.audit_signer, "me")
    caught_up(services)
    report = verify(services)
    assert report["ok"] and report["firstBroken"] is None
    assert report["checked"] == services.ledger.head()
    assert report["checkpoints"] == {"checked": 1, "problems": []}


def test_an_altered_stored_event_is_the_first_broken_link(services):
    history(services)
    take_checkpoint(services.ledger, services.projections, services.audit_signer, "me")
    caught_up(services)
    credited = [r for r in services.audit_chain.rows(0, 100, 100)
                if r["topic"].endswith("Wallet.Credited")][0]["position"]
    corrupt(services, credited, b'"1.50000000"', b'"9.50000000"')
    report = verify(services)
    assert not report["ok"]
    assert report["firstBroken"]["position"] == credited
    assert "altered" in report["firstBroken"]["reason"]


def test_a_checkpoint_is_signed_with_the_key_id_and_taken_once_per_head(services):
    history(services)
    first = take_checkpoint(services.ledger, services.projections, services.audit_signer, "a")
    again = take_checkpoint(services.ledger, services.projections, services.audit_signer, "a")
    assert first.result.document["keyId"] == services.audit_signer.key_id
    # the checkpoint event is chained too
    assert again.result.document["position"] == first.position
    caught_up(services)
    assert [c["chained_position"] for c in services.audit_chain.checkpoints()] == [
        first.result.document["position"], again.result.document["position"]]


def test_the_daily_job_signs_the_head(services, frozen_clock):
    history(services)
    record = services.job_runner.run("audit-checkpoint",
                                     Period(date(2026, 1, 14), "day")).result
    assert record.outcome == "succeeded"
    assert record.summary["signed"] is True


def test_after_a_key_rotation_old_checkpoints_verify_with_the_trusted_old_key(database_url):
    old = fresh_services(database_url, audit_signing_key=SecretStr(OLD_SEED),
                         audit_key_id="k-2026-01")
    history(old)
    take_checkpoint(old.ledger, old.projections, old.audit_signer, "a")
    old.close()
    old_public = public_hex(Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex(OLD_SEED)).public_key())
    new = fresh_services(database_url, audit_signing_key=SecretStr(NEW_SEED),
                         audit_key_id="k-2026-02", audit_trusted_keys={"k-2026-01": old_public})
    try:
        credit(new, "p3", "BTC", "1")
        taken = take_checkpoint(new.ledger, new.projections, new.audit_signer, "a")
        assert taken.result.document["keyId"] == "k-2026-02"
        caught_up(new)
        assert verify(new)["ok"]
        untrusting = verify_store(new.ledger, new.audit_chain,
                                  {"k-2026-02": new.audit_signer.public})
        assert not untrusting["ok"] and untrusting["firstBroken"] is None
        assert [p.split(": ", 1)[1] for p in untrusting["checkpoints"]["problems"]] == [
            "key id 'k-2026-01' is not trusted"]
    finally:
        new.close()


@pytest.mark.postgres_only
def test_the_same_history_chains_identically_on_sqlite_and_postgresql(
        tmp_path, postgres_database, frozen_clock):
    chains = []
    for url in (f"sqlite:///{tmp_path}/same.sqlite3", f"{postgres_database}?schema=same"):
        built = fresh_services(url)
        try:
            for n, (player, amount) in enumerate([("p1", "1.5"), ("p2", "2"), ("p1", "-1")]):
                adjust(built, player, "BTC", amount, request_id=f"same-{n}")
            # Times are compared through the public hash, which covers the log time
            # as ISO-8601 text (the columns hold text on SQLite, timestamptz on PG).
            chains.append([(r[:4], r[5:8], r[9:]) for r in chain_rows(caught_up(built))])
        finally:
            built.close()
    assert chains[0] == chains[1]


def test_two_followers_racing_hash_each_event_exactly_once(services, database_url):
    credit(services, "p1", "BTC", "1")
    bulk_credits(services, "p1", 3000)
    other = fresh_services(database_url)
    try:
        in_parallel = [threading.Thread(target=s.projections.catch_up, args=(["audit_chain"],))
                       for s in (services, other)]
        for thread in in_parallel:
            thread.start()
        for thread in in_parallel:
            thread.join()
    finally:
        other.close()
    raced = chain_rows(services)
    services.projections.rebuild("audit_chain")
    assert chain_rows(services) == raced
    assert [row[0] for row in raced] == list(range(1, services.ledger.head() + 1))


def as_format_1(services):
    """Leave the view as a release before format 2 did: no log time, no public
    chain, and no format kept."""
    rows = [row[:8] for row in chain_rows(services)]
    db = services.audit_chain.db
    with db.transaction() as cursor:
        for statement in ("DROP TABLE IF EXISTS {s}audit_chain_format",
                          "DROP TABLE {s}audit_chain",
                          "CREATE TABLE {s}audit_chain (position BIGINT PRIMARY KEY, "
                          "originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
                          "topic TEXT NOT NULL, at {time} NOT NULL, player_id TEXT, "
                          "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"):
            cursor.raw.execute(db.ddl(statement))
        cursor.executemany("INSERT INTO {s}audit_chain VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def test_a_chain_of_an_older_format_is_rebuilt_when_the_ledger_starts(database_url):
    """No manual `projections rebuild audit_chain` after an upgrade."""
    old = fresh_services(database_url)
    history(old)
    expected, head = old.audit_chain.dump(), old.audit_chain.position()
    as_format_1(old)
    old.close()
    upgraded = fresh_services(database_url)
    try:
        assert upgraded.audit_chain.position() == 0  # dropped at start
        caught_up(upgraded)
        assert upgraded.audit_chain.position() == head
        assert upgraded.audit_chain.dump() == expected  # the same hashes, both chains
        assert verify(upgraded)["ok"]
    finally:
        upgraded.close()


def test_a_chain_of_the_current_format_is_kept_when_the_ledger_starts(database_url):
    first = fresh_services(database_url)
    history(first)
    expected, head = first.audit_chain.dump(), first.audit_chain.position()
    first.close()
    again = fresh_services(database_url)
    try:
        assert again.audit_chain.position() == head
        assert again.audit_chain.dump() == expected
    finally:
        again.close()
