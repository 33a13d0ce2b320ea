"""Offline verification of an export file: no database, only the file and a public key.

Checks, in one streaming pass: the manifest's Ed25519 signature; each
record's hash (SHA-256 of its prevHash and canonical bytes); the order of
positions; each record's `after` (the previous record's position); the chain
links between neighbouring records (all of them in an unfiltered export);
and the count, first and last positions, end hashes and records digest the
manifest signs. Each problem names the position it was found at.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.audit.export_format import FIELDS, FORMAT, parse_csv_record, record_bytes
from domain.audit.hash_chain import canonical, link
from domain.audit.signing import verify

TAIL = 1 << 20


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


def verify_export(path: Path, key: Ed25519PublicKey) -> Report:
    manifest = read_manifest(path)
    report = Report(manifest)
    if manifest.get("format") != FORMAT:
        report.problems.append(Problem(None, f"unknown format {manifest.get('format')!r}"))
    if not verify(manifest, key):
        report.problems.append(Problem(None, "the manifest's signature does not verify "
                                             "with this public key (forged or altered)"))
    with path.open(encoding="utf-8", newline="") as file:
        RecordChecker(report).check_all(records(file))
    return report


def read_manifest(path: Path) -> dict[str, Any]:
    """The last line of the file, which holds the manifest (JSON lines or CSV)."""
    with path.open("rb") as file:
        file.seek(0, 2)
        file.seek(max(0, file.tell() - TAIL))
        lines = [line for line in file.read().splitlines() if line.strip()]
    last = lines[-1].decode("utf-8") if lines else ""
    try:
        if last.startswith("manifest,"):
            return json.loads(next(csv.reader([last]))[1])
        return json.loads(last)["manifest"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValueError("the file does not end with a manifest") from None


def records(file: TextIO) -> Any:
    """Every record of the file (the manifest line left out), as parsed dicts."""
    first = file.readline()
    if first.startswith("position,"):
        for row in csv.DictReader(file, fieldnames=next(csv.reader([first]))):
            if row.get("position") != "manifest":
                yield _parsed(lambda r=row: parse_csv_record(r))
        return
    for line in itertools.chain([first], file):
        if line.strip() and not line.startswith('{"manifest"'):
            yield _parsed(lambda text=line: json.loads(text))


def _parsed(parse: Any) -> dict[str, Any] | Exception:
    try:
        return parse()
    except (ValueError, TypeError) as error:
        return error


class RecordChecker:
    """Walks the records in file order, remembering only the previous one."""

    def __init__(self, report: Report):
        self.report = report
        self.selection = report.manifest.get("selection") or {}
        self.contiguous = not (self.selection.get("playerId") or self.selection.get("types"))
        self.digest = hashlib.sha256()
        self.prev: dict[str, Any] | None = None
        self.first: dict[str, Any] | None = None
        self.missing: dict[int, int] = {}  # a position named by `after`, not yet seen
        self.highest = -1

    def problem(self, position: int | None, message: str) -> None:
        self.report.problems.append(Problem(position, message))

    def check_all(self, items: Any) -> None:
        for item in items:
            if isinstance(item, Exception) or set(item) != set(FIELDS):
                self.problem(self.prev["position"] if self.prev else None,
                             f"an unreadable record follows this one ({item})")
                continue
            self.check(item)
            self.report.count += 1
            self.digest.update(record_bytes(item))
            self.first = self.first or item
            self.prev = item
        self.check_totals()

    def check(self, item: dict[str, Any]) -> None:
        position = item["position"]
        try:
            expected = link(bytes.fromhex(item["prevHash"]), canonical(
                position, item["originatorId"], item["originatorVersion"], item["topic"],
                item["state"].encode("utf-8")))
        except (ValueError, TypeError, AttributeError) as error:
            self.problem(position, f"malformed record ({error})")
            return
        if expected.hex() != item["hash"]:
            self.problem(position, "the record does not match its hash (altered)")
        self.check_order(item)
        self.check_link(item)

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

    def check_link(self, item: dict[str, Any]) -> None:
        if self.prev is None or item["prevHash"] == self.prev["hash"]:
            return
        if self.contiguous and item["after"] == self.prev["position"]:
            self.problem(item["position"], f"the chain link to position "
                                           f"{self.prev['position']} is broken")

    def check_totals(self) -> None:
        for position, before in sorted(self.missing.items()):
            self.problem(position, f"missing: the record before position {before} "
                                   "is not in the file (removed)")
        manifest, first, last = self.report.manifest, self.first or {}, self.prev or {}
        expected = {"count": self.report.count, "firstPosition": first.get("position"),
                    "lastPosition": last.get("position"),
                    "recordsDigest": self.digest.hexdigest()}
        if first:
            expected |= {"firstPrevHash": first["prevHash"], "lastHash": last["hash"]}
        for name, value in expected.items():
            if manifest.get(name) != value:
                where = manifest.get(name) if name.endswith("Position") else None
                self.problem(where, f"{name} is {value!r} in the records but "
                                    f"{manifest.get(name)!r} in the manifest")
