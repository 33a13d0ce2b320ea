"""docs/audit-export.md's worked examples hold: every hash, the records digest and
the signature are recomputed from the page's own text, with nothing but hashlib,
json and Ed25519 (as a regulator would), and both verifiers accept the files."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from domain.audit.export_verify import verify_export
from domain.audit.signing import public_key

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs/audit-export.md").read_text(encoding="utf-8")
SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
PUBLIC = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"

_spec = importlib.util.spec_from_file_location("standalone_verifier_doc",
                                               ROOT / "docs/verifier/verify_export.py")
standalone = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(standalone)  # type: ignore[union-attr]


def section(title: str) -> str:
    start = DOC.index(f"## {title}\n")
    return DOC[start:DOC.index("\n## ", start + 1)]


def blocks(text: str) -> list[str]:
    return re.findall(r"```\n(.*?)\n```", text, flags=re.S)


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def test_the_format_2_example_hashes_and_signature_follow_from_the_doc():
    file_block, first_bytes, second_bytes = blocks(section("Worked example, format 2"))
    *record_lines, manifest_line = file_block.split("\n")
    records = [json.loads(line) for line in record_lines]
    manifest = json.loads(manifest_line)["manifest"]
    # The bytes the doc says are hashed are the records without after/prevHash/hash.
    for record, hashed in zip(records, (first_bytes, second_bytes)):
        body = {k: v for k, v in record.items() if k not in ("after", "prevHash", "hash")}
        assert canonical(body).decode() == hashed
        assert hashlib.sha256(bytes.fromhex(record["prevHash"])
                              + hashed.encode()).hexdigest() == record["hash"]
        assert canonical(record).decode() == json.dumps(record, sort_keys=True,
                                                        separators=(",", ":"))
    assert records[0]["prevHash"] == "0" * 64
    assert records[1]["prevHash"] == records[0]["hash"]
    assert manifest_line == canonical({"manifest": manifest}).decode()
    digest = hashlib.sha256("".join(line + "\n" for line in record_lines).encode())
    assert manifest["recordsDigest"] == digest.hexdigest()
    assert (manifest["firstPrevHash"], manifest["lastHash"]) == (
        records[0]["prevHash"], records[-1]["hash"])
    body = canonical({k: v for k, v in manifest.items() if k != "signature"})
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(SEED))
    assert base64.b64encode(key.sign(body)).decode() == manifest["signature"]
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(PUBLIC)).verify(
        base64.b64decode(manifest["signature"]), body)
    # No module path, no library markup: only what docs/events.md describes.
    assert "_type_" not in file_block and "domain." not in file_block
    assert [r["name"] for r in records] == ["wallet.opened", "wallet.credited"]


@pytest.mark.parametrize("title", ["Worked example, format 2", "Worked example, format 1"])
def test_both_verifiers_accept_the_worked_examples(tmp_path, title):
    path = tmp_path / "example.jsonl"
    path.write_text(blocks(section(title))[0] + "\n", encoding="utf-8")
    assert verify_export(path, public_key(PUBLIC), key_id="k-2026-01").ok
    with redirect_stdout(io.StringIO()) as printed:
        code = standalone.main([str(path), "--public-key", PUBLIC, "--key-id", "k-2026-01"])
    assert code == 0, printed.getvalue()
    path.write_text(path.read_text().replace("1.50000000", "1.60000000"))
    assert not verify_export(path, public_key(PUBLIC), key_id="k-2026-01").ok
    with redirect_stdout(io.StringIO()):
        assert standalone.main([str(path), "--public-key", PUBLIC,
                                "--key-id", "k-2026-01"]) == 1
