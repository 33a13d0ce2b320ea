"""Offline verification of exports (no database): a good export verifies, and each
kind of tampering is reported at the position where it happened."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.audit.export_format import ExportWriter, record, stream
from domain.audit.export_verify import verify_export
from domain.audit.hash_chain import GENESIS, canonical, link
from domain.audit.signing import Signer, canonical_json, key_id_of

OLD_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
NEW_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
TOPIC = "domain.wallet.model:Wallet.Credited"


def signer(key: Ed25519PrivateKey = OLD_KEY) -> Signer:
    return Signer(key, key_id_of(key.public_key()))


def chain(count: int) -> list[dict]:
    """`count` chained events; odd positions belong to p1, even ones to p2."""
    events, prev = [], GENESIS
    for position in range(1, count + 1):
        state = json.dumps({"player_id": f"p{2 - position % 2}",
                            "amount": f"{position}.50"}).encode()
        digest = link(prev, canonical(position, f"00000000-0000-0000-0000-{position:012d}",
                                      1, TOPIC, state))
        events.append({"position": position, "state": state, "player": f"p{2 - position % 2}",
                       "prev": prev.hex(), "hash": digest.hex()})
        prev = digest
    return events


def write_export(path: Path, events: list[dict], *, player: str | None = None,
                 file_format: str = "jsonl", key: Ed25519PrivateKey = OLD_KEY) -> Path:
    chosen = [e for e in events if player is None or e["player"] == player]
    records, after = [], None
    for e in chosen:
        records.append(record(e["position"], after, e["player"],
                              f"00000000-0000-0000-0000-{e['position']:012d}", 1, TOPIC,
                              e["state"], e["prev"], e["hash"]))
        after = e["position"]
    fields = {"exportId": "0f8e0b7c-2d3a-4c1b-9a55-3e2f1d0c4b6a",
              "selection": {"playerId": player, "types": [], "from": None, "to": None,
                            "format": file_format},
              "exportedAt": "2026-01-15T12:05:00+00:00",
              "exportedBy": {"subject": "reg-1", "role": "regulator"},
              "logHead": {"position": events[-1]["position"], "hash": events[-1]["hash"]}}
    text = "".join(stream(ExportWriter(file_format, 1), records,
                          lambda w: w.manifest(fields, signer(key), events[-1]["hash"])))
    path.write_text(text, encoding="utf-8")
    return path


def jsonl_lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def problems_at(path: Path, key: Ed25519PrivateKey = OLD_KEY) -> list[int | None]:
    return [p.position for p in verify_export(path, key.public_key()).problems]


@pytest.fixture(params=["full", "player"])
def exported(request, tmp_path) -> Path:
    """A full export of 12 events, or player p1's (every other position)."""
    player = "p1" if request.param == "player" else None
    return write_export(tmp_path / "export.jsonl", chain(12), player=player)


def test_an_untouched_export_verifies_with_its_public_key(exported):
    report = verify_export(exported, OLD_KEY.public_key())
    assert report.ok, report.problems
    assert report.count in (12, 6)


def test_a_changed_amount_fails_at_its_position(exported):
    lines = jsonl_lines(exported)
    lines[2] = lines[2].replace(".50", ".51")
    exported.write_text("".join(lines))
    position = json.loads(lines[2])["position"]
    assert problems_at(exported)[0] == position


def test_a_changed_amount_with_a_recomputed_hash_still_fails(tmp_path):
    path = write_export(tmp_path / "e.jsonl", chain(6))
    lines = jsonl_lines(path)
    item = json.loads(lines[2])
    item["state"] = item["state"].replace(".50", ".99")
    item["hash"] = link(bytes.fromhex(item["prevHash"]), canonical(
        item["position"], item["originatorId"], 1, TOPIC, item["state"].encode())).hex()
    lines[2] = canonical_json(item).decode() + "\n"
    path.write_text("".join(lines))
    assert problems_at(path)[0] == 4  # the next record's link to it is broken


def test_a_dropped_record_is_reported_missing_at_its_position(exported):
    lines = jsonl_lines(exported)
    dropped = json.loads(lines.pop(3))["position"]
    exported.write_text("".join(lines))
    assert dropped in problems_at(exported)
    assert not verify_export(exported, OLD_KEY.public_key()).ok


def test_a_swapped_pair_is_reported_out_of_order(exported):
    lines = jsonl_lines(exported)
    lines[4], lines[5] = lines[5], lines[4]
    exported.write_text("".join(lines))
    assert problems_at(exported)[0] == json.loads(lines[5])["position"]


def test_an_inserted_record_is_reported_at_its_position(tmp_path):
    events = chain(12)
    path = write_export(tmp_path / "p1.jsonl", events, player="p1")
    other = write_export(tmp_path / "all.jsonl", events)
    intruder = jsonl_lines(other)[5]  # position 6, p2's, with its real chain fields
    lines = jsonl_lines(path)
    lines.insert(3, intruder)  # between positions 5 and 7
    path.write_text("".join(lines))
    assert problems_at(path)[0] == 6


def test_a_forged_manifest_fails_its_signature(exported):
    lines = jsonl_lines(exported)
    manifest = json.loads(lines[-1])
    manifest["manifest"]["count"] = 99
    lines[-1] = json.dumps(manifest) + "\n"
    exported.write_text("".join(lines))
    report = verify_export(exported, OLD_KEY.public_key())
    assert "signature does not verify" in str(report.problems[0])


def test_a_manifest_signed_by_another_key_fails(exported):
    assert "key id" in str(verify_export(exported, NEW_KEY.public_key()).problems[0])
    claimed = key_id_of(OLD_KEY.public_key())  # the other key, under the signer's id
    assert "signature" in str(verify_export(exported, NEW_KEY.public_key(),
                                            key_id=claimed).problems[0])


def test_after_a_key_rotation_old_exports_verify_with_the_old_public_key(tmp_path):
    old = write_export(tmp_path / "old.jsonl", chain(4))
    new = write_export(tmp_path / "new.jsonl", chain(4), key=NEW_KEY)
    assert verify_export(old, OLD_KEY.public_key()).ok
    assert verify_export(new, NEW_KEY.public_key()).ok
    assert json.loads(jsonl_lines(new)[-1])["manifest"]["keyId"] == key_id_of(
        NEW_KEY.public_key())


def test_csv_export_verifies_and_a_changed_cell_fails(tmp_path):
    path = write_export(tmp_path / "e.csv", chain(8), file_format="csv")
    assert verify_export(path, OLD_KEY.public_key()).ok
    lines = jsonl_lines(path)
    assert lines[0].startswith("position,after,playerId")
    lines[3] = lines[3].replace("3.50", "3.49")
    path.write_text("".join(lines))
    assert problems_at(path)[0] == 3


def test_csv_dropped_and_swapped_rows_fail_at_their_positions(tmp_path):
    path = write_export(tmp_path / "e.csv", chain(8), file_format="csv")
    lines = jsonl_lines(path)
    swapped = [*lines[:2], lines[3], lines[2], *lines[4:]]
    path.write_text("".join(swapped))
    assert problems_at(path)[0] == 2
    dropped = [*lines[:5], *lines[6:]]
    path.write_text("".join(dropped))
    assert 5 in problems_at(path)


def test_an_empty_export_verifies(tmp_path):
    path = tmp_path / "empty.jsonl"
    text = "".join(stream(ExportWriter("jsonl"), [],
                          lambda w: w.manifest({"selection": {"format": "jsonl"},
                                                 "exportedAt": "2026-01-15T12:05:00+00:00",
                                                 "logHead": {"position": 0,
                                                             "hash": GENESIS.hex()}},
                                                signer(), GENESIS.hex())))
    path.write_text(text)
    assert verify_export(path, OLD_KEY.public_key()).ok


def test_the_offline_verifier_loads_no_database_or_application_code():
    # Only the pure tamper-evidence modules of domain/ may load, nothing that stores.
    pure = {"domain", "domain.audit", "domain.audit.export_verify", "domain.audit.hash_chain", "domain.audit.export_format",
            "domain.audit.signing"}
    probe = ("import sys, domain.audit.export_verify; print(sorted({m for m in sys.modules "
             "if m.split('.')[0] in {'eventsourcing', 'psycopg', 'sqlite3', 'domain', "
             f"'projections', 'api', 'schedulers'}}}} - {pure!r}))")
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, cwd=Path(__file__).resolve().parents[2])
    assert found.stdout.strip() == "[]"
