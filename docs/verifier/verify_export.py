#!/usr/bin/env python3
"""Verify a casino-ledger audit export offline, from docs/audit-export.md alone.

    python3 verify_export.py FILE --public-key HEX [--key-id ID]
    python3 verify_export.py FILE --trusted-keys KEYS.json

Reads export formats 1 and 2 (JSON lines or CSV). Needs Python 3.9+ and the
`cryptography` package; nothing else, no network.
KEYS.json is a list of {"keyId", "publicKey" (64 hex digits), "validFrom",
"validUntil"} (ISO-8601 or null). Without --key-id the manifest must name the
key's default id, "ed25519:" + the first 16 hex digits of SHA-256(public key).

Prints "OK ..." and exits 0 only if the file is, byte for byte, the records and
manifest the casino signed and nothing else; else prints "FAIL <the first
reason>" and exits 1 (2: bad arguments).
"""

import base64
import csv
import hashlib
import io
import json
import re
import sys
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

V1, V2 = "casino-ledger-audit-export/1", "casino-ledger-audit-export/2"
FIELDS = {
    V1: ["position", "after", "playerId", "originatorId", "originatorVersion", "topic",
         "state", "prevHash", "hash"],
    V2: ["position", "after", "time", "name", "version", "playerId", "aggregateId",
         "aggregateVersion", "payload", "prevHash", "hash"],
}
# Format 2: what a record's hash covers (all but "after", "prevHash" and "hash").
HASHED_V2 = ["position", "time", "name", "version", "playerId", "aggregateId",
             "aggregateVersion", "payload"]
UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z")
GENESIS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NUMBER = re.compile(r"[1-9][0-9]*")  # CSV integers: decimal, no sign, no leading zero


class Refused(Exception):
    """The file is not exactly what was signed; the message says why."""


def canonical(value):
    """Sorted keys, no spaces, UTF-8, non-ASCII as itself: the bytes hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def strict_json(text, where):
    """JSON with no duplicated key and no fractional number."""
    def unique(pairs):
        if len({key for key, _ in pairs}) != len(pairs):
            raise Refused(f"{where}: a key appears twice")
        return dict(pairs)

    def no_float(text):
        raise Refused(f"{where}: a number with a fraction or exponent ({text})")
    try:
        return json.loads(text, object_pairs_hook=unique, parse_float=no_float,
                          parse_constant=no_float)
    except ValueError:
        raise Refused(f"{where}: not JSON") from None


def csv_cell(value):
    """How the exporter writes one CSV cell (RFC 4180, quoted only where needed)."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def read_jsonl(text):
    """(record dicts, manifest dict) from a JSON lines export."""
    *lines, manifest_line = text[:-1].split("\n")  # on "\n" only: U+2028 is not a line end
    records = []
    for number, line in enumerate(lines, 1):
        item = strict_json(line, f"line {number}")
        if not isinstance(item, dict) or "manifest" in item:
            raise Refused(f"line {number}: not a record (the manifest must be the last line, once)")
        if canonical(item).decode("utf-8") != line:
            raise Refused(f"line {number}: not written as canonical JSON")
        records.append(item)
    outer = strict_json(manifest_line, "the last line")
    if not isinstance(outer, dict) or list(outer) != ["manifest"] \
            or not isinstance(outer["manifest"], dict):
        raise Refused("the last line is not {\"manifest\": {...}}")
    manifest = outer["manifest"]
    # Format 2 writes the manifest line as canonical JSON; format 1 as Python's
    # json.dumps with ", " and ": " between items, keys in the order written.
    written = (canonical(outer).decode("utf-8") if manifest.get("format") == V2
               else json.dumps(outer, ensure_ascii=False))
    if manifest_line != written:
        raise Refused("the last line: the manifest is not written as the exporter writes it")
    return records, manifest


def read_csv(text, fields):
    """(record dicts, manifest dict) from a CSV export."""
    header = ",".join(fields) + "\n"
    if not text.startswith(header):
        raise Refused("the first row is not the documented header")
    try:
        rows = list(csv.reader(io.StringIO(text[len(header):], newline=""), strict=True))
    except csv.Error as error:
        raise Refused(f"not RFC 4180 CSV ({error})") from None
    rebuilt = "".join(",".join(csv_cell(c) for c in row) + "\n" for row in rows)
    if rebuilt != text[len(header):]:
        raise Refused("rows are not written as the exporter writes CSV (quotes only where "
                      "needed, LF line ends, nothing else)")
    if not rows or rows[-1][:1] != ["manifest"] or len(rows[-1]) != 2:
        raise Refused("the last row is not the manifest")
    manifest = strict_json(rows[-1][1], "the manifest row")
    if not isinstance(manifest, dict) or canonical(manifest).decode("utf-8") != rows[-1][1]:
        raise Refused("the manifest row is not canonical JSON")
    records = []
    for number, row in enumerate(rows[:-1], 2):
        if len(row) != len(fields):
            raise Refused(f"row {number}: {len(row)} cells, not {len(fields)} "
                          "(an extra column, or a second manifest)")
        records.append(csv_record(dict(zip(fields, row)), number))
    return records, manifest


def csv_record(cells, number):
    """A CSV row as the record it was written from: empty cells are null."""
    def integer(name, nullable=False):
        if nullable and cells[name] == "":
            return None
        if not NUMBER.fullmatch(cells[name]):
            raise Refused(f"row {number}: {name} is not a decimal integer")
        return int(cells[name])
    item = dict(cells, position=integer("position"), after=integer("after", True),
                playerId=cells["playerId"] or None)
    if "originatorVersion" in item:  # format 1
        item["originatorVersion"] = integer("originatorVersion")
    else:  # format 2
        item["version"] = integer("version")
        item["aggregateVersion"] = integer("aggregateVersion")
        item["payload"] = strict_json(cells["payload"], f"row {number}: payload")
        if canonical(item["payload"]).decode("utf-8") != cells["payload"]:
            raise Refused(f"row {number}: payload is not canonical JSON")
    return item


def record_hash(item, version):
    """Recompute a record's chain hash (docs/audit-export.md, "Hashing")."""
    if version == V1:
        body = (f"{item['position']}\n{item['originatorId']}\n{item['originatorVersion']}\n"
                f"{item['topic']}\n").encode("utf-8") + item["state"].encode("utf-8")
    else:
        body = canonical({k: item[k] for k in HASHED_V2})
    return hashlib.sha256(bytes.fromhex(item["prevHash"]) + body).hexdigest()


def check_types(item, version, where):
    aggregate, aggregate_version = (("originatorId", "originatorVersion") if version == V1
                                    else ("aggregateId", "aggregateVersion"))
    ok = (type(item["position"]) is int and item["position"] > 0
          and (item["after"] is None or type(item["after"]) is int)
          and (item["playerId"] is None or isinstance(item["playerId"], str))
          and isinstance(item[aggregate], str) and UUID.fullmatch(item[aggregate])
          and type(item[aggregate_version]) is int and item[aggregate_version] > 0
          and isinstance(item["prevHash"], str) and HEX64.fullmatch(item["prevHash"])
          and isinstance(item["hash"], str) and HEX64.fullmatch(item["hash"]))
    if version == V1:
        ok = ok and isinstance(item["topic"], str) and isinstance(item["state"], str)
    else:
        ok = ok and isinstance(item["name"], str) and type(item["version"]) is int \
            and item["version"] > 0 and isinstance(item["payload"], dict) \
            and isinstance(item["time"], str) and UTC_TIME.fullmatch(item["time"])
    if not ok:
        raise Refused(f"{where}: a field has the wrong type or form")


def instant(text):
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.utcoffset() is None:
        raise Refused(f"{text!r} has no time zone")
    return moment


def event_time(item, version):
    """When the event happened: format 2 says it; format 1 keeps it in the state."""
    if version == V2:
        return instant(item["time"])
    stamp = json.loads(item["state"]).get("timestamp")
    return instant(stamp["_data_"]) if isinstance(stamp, dict) else None


def event_type(item, version):
    return item["name"] if version == V2 else item["topic"]


def wanted_type(item, version, types):
    """Format 2 selects public names; format 1 topics or their "Aggregate.Event" tail."""
    kind = event_type(item, version)
    if version == V2:
        return not types or kind in types
    return not types or any(kind == t or kind.endswith(":" + t) for t in types)


def checkpoint_document(item, version):
    """The signed checkpoint an AuditCheckpoint record carries (else None)."""
    if version == V2:
        return item["payload"].get("document") if item["name"] == "audit.checkpoint_signed" \
            else None
    if item["topic"].endswith(":AuditCheckpoint.Signed"):
        return json.loads(item["state"]).get("document")
    return None


def signed_by(document, keys, when_field, what):
    """Check a signed document's key id and signature against the trusted keys."""
    entry = keys.get(document.get("keyId"))
    if entry is None:
        raise Refused(f"{what}: key id {document.get('keyId')!r} is not a trusted key")
    public, valid_from, valid_until = entry
    when = instant(document[when_field])
    if (valid_from and when < valid_from) or (valid_until and when >= valid_until):
        raise Refused(f"{what}: signed at {document[when_field]}, outside the validity "
                      f"of key {document['keyId']}")
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        public.verify(base64.b64decode(document.get("signature", ""), validate=True),
                      canonical(body))
    except (InvalidSignature, ValueError, TypeError):
        raise Refused(f"{what}: the signature does not verify (forged or altered)") from None


def verify(data, keys, file_format):
    """Check everything; return the manifest, or raise Refused with the first reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("the file is not UTF-8") from None
    if not text.endswith("\n"):
        raise Refused("the file does not end with a line feed")
    if file_format == "jsonl":
        records, manifest = read_jsonl(text)
    else:
        version = V2 if text.startswith(",".join(FIELDS[V2]) + "\n") else V1
        records, manifest = read_csv(text, FIELDS[version])
    signed_by(manifest, keys, "exportedAt", "the manifest")
    version = manifest.get("format")
    if version not in FIELDS:
        raise Refused(f"unknown format {version!r}")
    selection, head = manifest["selection"], manifest["logHead"]
    if selection.get("format") != file_format:
        raise Refused(f"the manifest signs a {selection.get('format')} file, this is {file_format}")
    player, types = selection.get("playerId"), selection.get("types") or []
    start = selection.get("from") and instant(selection["from"])
    end = selection.get("to") and instant(selection["to"])
    unfiltered = player is None and not types
    digest, previous, hashes, checkpoints = hashlib.sha256(), None, {}, []
    for item in records:
        where = f"position {item.get('position')}"
        if sorted(item) != sorted(FIELDS[version]):
            raise Refused(f"{where}: the record's fields are not those of {version}")
        check_types(item, version, where)
        if record_hash(item, version) != item["hash"]:
            raise Refused(f"{where}: the record does not match its hash (altered)")
        if previous is not None and item["position"] <= previous["position"]:
            raise Refused(f"{where}: out of order (reordered or duplicated)")
        if item["after"] != (previous and previous["position"]):
            raise Refused(f"{where}: its 'after' is {item['after']}, the record before it "
                          f"is {previous and previous['position']} (removed or inserted)")
        if unfiltered and item["prevHash"] != (previous["hash"] if previous else
                                               manifest["firstPrevHash"]):
            raise Refused(f"{where}: the chain link to the record before is broken")
        if unfiltered and previous is None and start is None and item["prevHash"] != GENESIS:
            raise Refused(f"{where}: an export from the start must begin at the log's start")
        if player is not None and item["playerId"] != player:
            raise Refused(f"{where}: belongs to {item['playerId']!r}, not the selected player")
        if not wanted_type(item, version, types):
            raise Refused(f"{where}: {event_type(item, version)} is not a selected type")
        moment = event_time(item, version)
        if version == V2 and previous is not None and moment < event_time(previous, V2):
            raise Refused(f"{where}: its time is before the previous record's (times "
                          "never go backwards along the log)")
        if moment and ((start and moment < start) or (end and moment >= end)):
            raise Refused(f"{where}: stamped {moment.isoformat()}, outside the selected time")
        if item["position"] > head["position"]:
            raise Refused(f"{where}: beyond the signed log head {head['position']}")
        digest.update(canonical(item) + b"\n")
        hashes[item["position"]] = item["hash"]
        document = checkpoint_document(item, version)
        if document is not None:
            checkpoints.append((item["position"], document))
        previous = item
    first, last = (records[0], records[-1]) if records else ({}, {})
    expected = {"count": len(records), "firstPosition": first.get("position"),
                "lastPosition": last.get("position"),
                "firstPrevHash": first.get("prevHash", head["hash"]),
                "lastHash": last.get("hash", head["hash"]),
                "recordsDigest": digest.hexdigest()}
    for name, value in expected.items():
        if manifest.get(name) != value:
            raise Refused(f"the manifest's {name} is {manifest.get(name)!r}, the records "
                          f"give {value!r}")
    if unfiltered and end is None and records and \
            (last["position"], last["hash"]) != (head["position"], head["hash"]):
        raise Refused("an unfiltered export must reach the signed log head")
    if unfiltered and end is None and start is None and not records and head["hash"] != GENESIS:
        raise Refused("an empty unfiltered export of a log that is not empty")
    for position, document in checkpoints:
        what = f"the checkpoint at position {position}"
        signed_by(document, keys, "signedAt", what)
        # Format 2 records carry the public chain, which a checkpoint signs as
        # "publicHash" (checkpoints signed before format 2 have none to compare).
        chain_hash = document.get("publicHash") if version == V2 else document.get("hash")
        signed_at = document.get("position")
        if chain_hash is not None and hashes.get(signed_at, chain_hash) != chain_hash:
            raise Refused(f"{what} signs hash {chain_hash} at position {signed_at}; the "
                          "record there differs (the log was rewritten)")
    return manifest


def trusted_keys(args):
    """{keyId: (public key, valid from, valid until)} from the command line."""
    if "--trusted-keys" in args:
        with open(args[args.index("--trusted-keys") + 1], encoding="utf-8") as file:
            listed = json.load(file)
        return {k["keyId"]: (Ed25519PublicKey.from_public_bytes(bytes.fromhex(k["publicKey"])),
                             k.get("validFrom") and instant(k["validFrom"]),
                             k.get("validUntil") and instant(k["validUntil"]))
                for k in listed}
    raw = bytes.fromhex(args[args.index("--public-key") + 1])
    key_id = (args[args.index("--key-id") + 1] if "--key-id" in args
              else "ed25519:" + hashlib.sha256(raw).hexdigest()[:16])
    return {key_id: (Ed25519PublicKey.from_public_bytes(raw), None, None)}


def main(args):
    try:
        path, keys = args[0], trusted_keys(args)
    except (IndexError, ValueError, OSError):
        print(__doc__, file=sys.stderr)
        return 2
    with open(path, "rb") as file:
        data = file.read()
    file_format = "csv" if data.startswith(b"position,") else "jsonl"
    try:
        manifest = verify(data, keys, file_format)
    except Refused as reason:
        print(f"FAIL {reason}")
        return 1
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        print(f"FAIL the manifest or a record is malformed ({error!r})")
        return 1
    print(f"OK {manifest['count']} records, positions {manifest['firstPosition']} to "
          f"{manifest['lastPosition']}, key {manifest['keyId']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
