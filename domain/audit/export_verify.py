"""Offline verification of an export file: no database, only the file and public keys.

Files of format 2 (public records and the public chain) and of format 1 (stored
topics and states) are read alike; the manifest's `format` (and a CSV file's
header) says which fields the records have and which bytes their hashes cover.

A file passes only if it is, byte for byte, the signed lines and nothing
else (docs/audit-export.md, "What a verifier must refuse"): lines split on
`\\n` only; every record line its canonical JSON (every CSV row exactly as the
exporter writes it, under the documented header); exactly one manifest, last.
A file that is not is refused with the first reason, at its line.

Then, in one streaming pass: the manifest's key id and Ed25519 signature;
each record's hash; the order of positions and each record's `after`; the
chain links (all of them in an unfiltered export); each record against the
signed selection (player, types, time range) and the log head; the count,
ends and records digest; then every embedded signed checkpoint against the
record at the position it signs (a second pass). Each record problem names
its position, and every one is reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.audit.export_format import (FIELDS_OF, FIELDS_V1, FIELDS_V2,
                                        FORMAT_V2, csv_line, csv_text)
from domain.audit.hash_chain import GENESIS, canonical, link, public_canonical
from domain.audit.signing import canonical_json, key_id_of, public_key, verify

NUMBER = re.compile(r"[1-9][0-9]*")
HEX64 = re.compile(r"[0-9a-f]{64}")
UUID_TEXT = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
CHECKPOINT_TOPIC = ":AuditCheckpoint.Signed"
CHECKPOINT_NAME = "audit.checkpoint_signed"
UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z")


class Malformed(Exception):
    """The file is not exactly the signed lines; the first reason."""


@dataclass(frozen=True)
class TrustedKey:
    key: Ed25519PublicKey
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return ((self.valid_from is None or moment >= self.valid_from)
                and (self.valid_until is None or moment < self.valid_until))


@dataclass
class Problem:
    position: int | None
    message: str

    def __str__(self) -> str:
        where = f"position {self.position}" if self.position is not None else "export"
        return f"{where}: {self.message}"


@dataclass
class Report:
    manifest: dict[str, Any]
    count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_export(path: Path, key: Ed25519PublicKey | None = None, *,
                  key_id: str | None = None,
                  trusted: dict[str, TrustedKey] | None = None) -> Report:
    """Verify with one key (its manifest key id: `key_id`, else the key's default id)
    or with trusted keys by id, each with its validity period."""
    keys = dict(trusted or {})
    if key is not None:
        keys[key_id or key_id_of(key)] = TrustedKey(key)
    try:
        file_format, fields, manifest = read_manifest(path)
        report = Report(manifest)
        checker = RecordChecker(report, keys, file_format, fields)
        checker.check_all(records(path, file_format, fields))
    except Malformed as error:
        return Report({}, problems=[Problem(None, str(error))])
    if checker.checkpoints:
        checker.check_checkpoints(records(path, file_format, fields))
    return report


def trusted_keys(text: str) -> dict[str, TrustedKey]:
    """A JSON list of {keyId, publicKey (hex or PEM), validFrom, validUntil}."""
    try:
        listed = json.loads(text)
        return {entry["keyId"]: TrustedKey(public_key(entry["publicKey"]),
                                           instant(entry.get("validFrom")),
                                           instant(entry.get("validUntil")))
                for entry in listed}
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"a trusted keys file is a JSON list of {{keyId, publicKey, "
                         f"validFrom, validUntil}} ({error!r})") from None


def strict_json(text: str, where: str) -> Any:
    """JSON with no key twice and no fractional number, else Malformed."""
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in pairs}) != len(pairs):
            raise Malformed(f"{where}: a key appears twice")
        return dict(pairs)

    def no_float(text: str) -> Any:
        raise Malformed(f"{where}: a number with a fraction or exponent")
    try:
        return json.loads(text, object_pairs_hook=unique, parse_float=no_float,
                          parse_constant=no_float)
    except ValueError:
        raise Malformed(f"{where}: not JSON") from None


def lines_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) split on b"\\n" only; the file must end with one."""
    with path.open("rb") as file:
        for number, raw in enumerate(file, 1):
            if not raw.endswith(b"\n"):
                raise Malformed(f"line {number}: the file does not end with a line feed")
            try:
                yield number, raw[:-1].decode("utf-8")
            except UnicodeDecodeError:
                raise Malformed(f"line {number}: not UTF-8") from None


def csv_fields(path: Path) -> tuple[str, ...]:
    """The record fields a CSV file's header names (format 1 or 2), else Malformed."""
    with path.open("rb") as file:
        header = file.readline()
    for fields in (FIELDS_V1, FIELDS_V2):
        if header == (",".join(fields) + "\n").encode():
            return fields
    raise Malformed("line 1: not the documented CSV header")


def rows_of(path: Path) -> Iterator[tuple[int, list[str]]]:
    """CSV rows after the header, each exactly as the exporter writes it."""
    csv_fields(path)
    lines = lines_of(path)
    next(lines, None)
    pending, start = "", 0
    for number, text in lines:
        pending, start = pending + text + "\n", start or number
        if pending.count('"') % 2:  # a quoted cell goes on past a line feed
            continue
        try:
            [row] = list(csv.reader(io.StringIO(pending, newline=""), strict=True))
        except (csv.Error, ValueError):
            raise Malformed(f"line {start}: not one RFC 4180 row") from None
        if csv_line(row) != pending:
            raise Malformed(f"line {start}: not written as the exporter writes CSV")
        yield start, row
        pending, start = "", 0
    if pending:
        raise Malformed(f"line {start}: an unterminated quoted cell")


def read_manifest(path: Path) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The file's format, its records' fields and its manifest, which must be its
    last line (or row), once."""
    with path.open("rb") as file:
        file_format = "csv" if file.read(9) == b"position," else "jsonl"
    last: tuple[int, Any] | None = None
    for number, item in (rows_of(path) if file_format == "csv" else lines_of(path)):
        if last is not None and is_manifest(last[1], file_format):
            raise Malformed(f"line {last[0]}: a manifest that is not the last line")
        last = number, item
    if last is None or not is_manifest(last[1], file_format):
        raise Malformed("the file does not end with a manifest")
    number, item = last
    if file_format == "csv":
        if len(item) != 2:
            raise Malformed(f"line {number}: the manifest row has {len(item)} cells")
        manifest = strict_json(item[1], f"line {number}")
        if not isinstance(manifest, dict) or canonical_json(manifest).decode() != item[1]:
            raise Malformed(f"line {number}: the manifest is not canonical JSON")
        fields = csv_fields(path)
        if FIELDS_OF.get(manifest.get("format")) not in (None, fields):
            raise Malformed("line 1: the header is not that of the manifest's format")
        return file_format, fields, manifest
    outer = strict_json(item, f"line {number}")
    if not isinstance(outer, dict) or list(outer) != ["manifest"] \
            or not isinstance(outer["manifest"], dict):
        raise Malformed(f"line {number}: the last line is not {{\"manifest\": {{...}}}}")
    version = outer["manifest"].get("format")
    written = (canonical_json(outer).decode("utf-8") if version == FORMAT_V2
               else json.dumps(outer, ensure_ascii=False))
    if written != item:
        raise Malformed(f"line {number}: the manifest is not written as the exporter "
                        "writes it")
    return file_format, FIELDS_OF.get(version, FIELDS_V1), outer["manifest"]


def is_manifest(item: Any, file_format: str) -> bool:
    if file_format == "csv":
        return bool(item) and item[0] == "manifest"
    return item.startswith('{"manifest"')


def records(path: Path, file_format: str, fields: tuple[str, ...] = FIELDS_V1,
            ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every record of the file (not the manifest), with its line number."""
    if file_format == "csv":
        items: list[tuple[int, Any]] = []
        for number, row in rows_of(path):
            if items:
                yield csv_record(*items.pop(), fields)
            items.append((number, row))
        return
    previous: tuple[int, str] | None = None
    for number, line in lines_of(path):
        if previous is not None:
            yield json_record(*previous, fields)
        previous = number, line


def json_record(number: int, line: str, fields: tuple[str, ...] = FIELDS_V1,
                ) -> tuple[int, dict[str, Any]]:
    item = strict_json(line, f"line {number}")
    if not isinstance(item, dict) or sorted(item) != sorted(fields):
        raise Malformed(f"line {number}: not a record (unknown or missing fields, "
                        "or a second manifest)")
    if canonical_json(item).decode("utf-8") != line:
        raise Malformed(f"line {number}: not written as canonical JSON")
    return number, item


def csv_record(number: int, row: list[str], fields: tuple[str, ...] = FIELDS_V1,
               ) -> tuple[int, dict[str, Any]]:
    if len(row) != len(fields):
        raise Malformed(f"line {number}: {len(row)} cells, not {len(fields)}")
    cells: dict[str, Any] = dict(zip(fields, row))
    integers = [f for f in ("position", "originatorVersion", "version", "aggregateVersion")
                if f in cells] + (["after"] if cells["after"] else [])
    for name in integers:
        if not NUMBER.fullmatch(cells[name]):
            raise Malformed(f"line {number}: {name} is not a decimal integer")
    item = {**cells, **{name: int(cells[name]) for name in integers},
            "after": int(cells["after"]) if cells["after"] else None,
            "playerId": cells["playerId"] or None}
    if "payload" in cells:
        item["payload"] = strict_json(cells["payload"], f"line {number}: payload")
        if csv_text(item["payload"]) != cells["payload"]:
            raise Malformed(f"line {number}: payload is not an object in canonical JSON")
    return number, item


def well_formed(item: dict[str, Any]) -> bool:
    common = (type(item["position"]) is int and item["position"] > 0
              and (item["after"] is None or type(item["after"]) is int)
              and (item["playerId"] is None or isinstance(item["playerId"], str))
              and all(isinstance(item[k], str) and bool(HEX64.fullmatch(item[k]))
                      for k in ("prevHash", "hash")))
    if "payload" in item:  # format 2
        return (common and isinstance(item["aggregateId"], str)
                and bool(UUID_TEXT.fullmatch(item["aggregateId"]))
                and type(item["aggregateVersion"]) is int and item["aggregateVersion"] > 0
                and type(item["version"]) is int and item["version"] > 0
                and isinstance(item["name"], str) and isinstance(item["payload"], dict)
                and isinstance(item["time"], str) and bool(UTC_TIME.fullmatch(item["time"])))
    return (common and isinstance(item["originatorId"], str)
            and bool(UUID_TEXT.fullmatch(item["originatorId"]))
            and type(item["originatorVersion"]) is int and item["originatorVersion"] > 0
            and all(isinstance(item[k], str) for k in ("topic", "state")))


def state_of(item: dict[str, Any]) -> dict[str, Any]:
    """The stored state as JSON (a format 1 record keeps its time and, for a
    checkpoint, the signed document there); {} if it is not an object."""
    try:
        state = json.loads(item["state"])
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.utcoffset() is not None else None


class RecordChecker:
    """Walks the records in file order, remembering only the previous one."""

    def __init__(self, report: Report, keys: dict[str, TrustedKey], file_format: str,
                 fields: tuple[str, ...] = FIELDS_V1):
        self.report = report
        self.keys = keys
        self.v2 = fields == FIELDS_V2
        self.time: datetime | None = None  # format 2: the previous record's time
        manifest = report.manifest
        self.selection = manifest.get("selection") or {}
        self.head = manifest.get("logHead") or {}
        self.types = tuple(self.selection.get("types") or ())
        self.player = self.selection.get("playerId")
        self.start, self.end = (instant(self.selection.get(k)) for k in ("from", "to"))
        self.contiguous = self.player is None and not self.types
        self.digest = hashlib.sha256()
        self.prev: dict[str, Any] | None = None
        self.first: dict[str, Any] | None = None
        self.missing: dict[int, int] = {}  # a position named by `after`, not yet seen
        self.highest = -1
        self.checkpoints: dict[int, tuple[int, dict[str, Any]]] = {}
        self.check_manifest(file_format)

    def problem(self, position: int | None, message: str) -> None:
        self.report.problems.append(Problem(position, message))

    def check_manifest(self, file_format: str) -> None:
        manifest = self.report.manifest
        if manifest.get("format") not in FIELDS_OF:
            self.problem(None, f"unknown format {manifest.get('format')!r}")
        self.check_signed(manifest, "exportedAt", "the manifest")
        if self.selection.get("format") != file_format:
            self.problem(None, f"the manifest signs a {self.selection.get('format')!r} "
                               f"file; this file is {file_format}")

    def check_signed(self, document: dict[str, Any], when: str, what: str) -> None:
        trusted = self.keys.get(document.get("keyId"))  # type: ignore[arg-type]
        if trusted is None:
            self.problem(None, f"{what}: key id {document.get('keyId')!r} is not the "
                               "given key's, nor a trusted one")
            return
        moment = instant(document.get(when))
        if moment is None or not trusted.valid_at(moment):
            self.problem(None, f"{what}: {when} {document.get(when)!r} is outside the "
                               f"validity of key {document.get('keyId')}")
        if not verify(document, trusted.key):
            self.problem(None, f"{what}: the signature does not verify with this public "
                               "key (forged or altered)")

    def check_all(self, items: Iterator[tuple[int, dict[str, Any]]]) -> None:
        for number, item in items:
            if not well_formed(item):
                raise Malformed(f"line {number}: a field has the wrong type or form")
            self.check(item)
            self.report.count += 1
            self.digest.update(canonical_json(item) + b"\n")
            self.first = self.first or item
            self.prev = item
        self.check_totals()

    def check(self, item: dict[str, Any]) -> None:
        position = item["position"]
        if self.v2:
            body = public_canonical(item)
        else:
            body = canonical(position, item["originatorId"], item["originatorVersion"],
                             item["topic"], item["state"].encode("utf-8"))
        if link(bytes.fromhex(item["prevHash"]), body).hex() != item["hash"]:
            self.problem(position, "the record does not match its hash (altered)")
        self.check_order(item)
        self.check_link(item)
        self.check_selected(item)
        if self.v2 and item["name"] == CHECKPOINT_NAME:
            document = item["payload"].get("document")
        elif not self.v2 and item["topic"].endswith(CHECKPOINT_TOPIC):
            document = state_of(item).get("document")
        else:
            document = None
        if document is not None:
            if isinstance(document, dict):
                self.check_signed(document, "signedAt", f"the checkpoint at {position}")
                self.checkpoints[document.get("position")] = (position, document)

    def check_order(self, item: dict[str, Any]) -> None:
        position, after = item["position"], item["after"]
        previous = self.prev["position"] if self.prev else None
        if position in self.missing:
            self.problem(position, f"out of order: it belongs before position "
                                   f"{self.missing.pop(position)} (reordered)")
        elif previous is not None and position <= previous:
            self.problem(position, f"out of order after position {previous} "
                                   "(reordered or duplicated)")
        elif after != previous:
            self.check_after(position, after, previous)
        self.highest = max(self.highest, position)

    def check_after(self, position: int, after: int | None, previous: int | None) -> None:
        """`after` names another predecessor: one was removed, or one inserted."""
        if after is not None and after > self.highest:
            self.missing[after] = position
        elif previous is not None and (after is None or after < previous):
            self.problem(previous, f"not part of the export: position {position} "
                                   f"follows position {after} (inserted)")
            self.missing = {k: v for k, v in self.missing.items() if v != previous}
        else:
            self.problem(position, f"its after is {after}, the record before it is "
                                   f"{previous}")

    def check_link(self, item: dict[str, Any]) -> None:
        if not self.contiguous:
            return
        if self.prev is None:
            if self.start is None and item["prevHash"] != GENESIS.hex():
                self.problem(item["position"], "an export from the log's start does not "
                                               "begin at the first event")
        elif item["prevHash"] != self.prev["hash"] and item["after"] == self.prev["position"]:
            self.problem(item["position"], f"the chain link to position "
                                           f"{self.prev['position']} is broken")

    def check_selected(self, item: dict[str, Any]) -> None:
        position = item["position"]
        if self.player is not None and item["playerId"] != self.player:
            self.problem(position, f"belongs to {item['playerId']!r}, not to the selected "
                                   "player")
        if self.v2:
            kind, moment = item["name"], instant(item["time"])
            wanted = kind in self.types
            if moment is not None and self.time is not None and moment < self.time:
                self.problem(position, f"its time {item['time']} is before the previous "
                                       "record's (times never go backwards along the log)")
            self.time = moment
        else:
            kind, stamp = item["topic"], state_of(item).get("timestamp")
            moment = instant(stamp.get("_data_")) if isinstance(stamp, dict) else None
            wanted = any(kind == t or kind.endswith(":" + t) for t in self.types)
        if self.types and not wanted:
            self.problem(position, f"{kind} is not a selected type")
        if moment is not None and ((self.start and moment < self.start)
                                   or (self.end and moment >= self.end)):
            self.problem(position, f"stamped {moment.isoformat()}, outside the selected "
                                   "time range")
        if not isinstance(self.head.get("position"), int) or position > self.head["position"]:
            self.problem(position, f"beyond the signed log head {self.head.get('position')}")

    def check_totals(self) -> None:
        for position, before in sorted(self.missing.items()):
            self.problem(position, f"missing: the record before position {before} "
                                   "is not in the file (removed)")
        manifest, first, last = self.report.manifest, self.first or {}, self.prev or {}
        expected = {"count": self.report.count, "firstPosition": first.get("position"),
                    "lastPosition": last.get("position"),
                    "firstPrevHash": first.get("prevHash", self.head.get("hash")),
                    "lastHash": last.get("hash", self.head.get("hash")),
                    "recordsDigest": self.digest.hexdigest()}
        for name, value in expected.items():
            if manifest.get(name) != value:
                where = manifest.get(name) if name.endswith("Position") else None
                self.problem(where if isinstance(where, int) else None,
                             f"{name} is {value!r} in the records but "
                             f"{manifest.get(name)!r} in the manifest")
        if self.contiguous and self.end is None:
            reached = (last.get("position"), last.get("hash")) if last else (None, None)
            if last and reached != (self.head.get("position"), self.head.get("hash")):
                self.problem(last.get("position"), "an unfiltered export must end at the "
                                                   "signed log head")
            if not last and self.start is None and self.head.get("hash") != GENESIS.hex():
                self.problem(None, "an empty unfiltered export of a log that is not empty")

    def check_checkpoints(self, items: Iterator[tuple[int, dict[str, Any]]]) -> None:
        """Second pass: each signed checkpoint against the record at its position."""
        # Format 2 records carry the public chain: a checkpoint signs its head as
        # `publicHash` (checkpoint format 2); one signed before has none to compare.
        signed = "publicHash" if self.v2 else "hash"
        for _, item in items:
            found = self.checkpoints.get(item["position"])
            if found is None or signed not in found[1]:
                continue
            if found[1].get(signed) != item["hash"]:
                self.problem(item["position"], f"the checkpoint at position {found[0]} "
                                               f"signs {signed} {found[1].get(signed)} here; "
                                               "the record differs (the log was rewritten)")
