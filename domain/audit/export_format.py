"""The export file format (docs/audit-export.md): records, then a signed manifest.

Format 2 (the default) carries each event's public record (name, version, plain
payload, log time, player, aggregate id and version) with the public chain's
hashes; format 1 the stored topic and state bytes with the stored-bytes chain.

JSON lines: one record per line, each its canonical JSON, then one line
`{"manifest": {...}}`. CSV: a header row, one row per record, then a row whose
first cell is `manifest` and whose second cell is the manifest's JSON. The
manifest signs, among the rest, `recordsDigest`: SHA-256 over every record's
canonical JSON followed by a newline, in file order (for JSON lines, exactly
the record lines' bytes). Writing keeps only running totals, so memory stays
flat whatever the size of the export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from domain.audit.signing import Signer, canonical_json

FORMAT_V1 = "casino-ledger-audit-export/1"
FORMAT_V2 = "casino-ledger-audit-export/2"
FORMATS = ("jsonl", "csv")
FIELDS_V1 = ("position", "after", "playerId", "originatorId", "originatorVersion", "topic",
             "state", "prevHash", "hash")
# Format 2: the public record (domain/audit/public_record.py) with its chain fields;
# `payload` is a JSON object (in CSV, a cell holding its canonical JSON).
FIELDS_V2 = ("position", "after", "time", "name", "version", "playerId", "aggregateId",
             "aggregateVersion", "payload", "prevHash", "hash")
FIELDS_OF = {FORMAT_V1: FIELDS_V1, FORMAT_V2: FIELDS_V2}
FORMAT_OF = {1: FORMAT_V1, 2: FORMAT_V2}
INTEGERS = ("position", "originatorVersion", "version", "aggregateVersion")
NULLABLE = ("after", "playerId")
CHUNK = 65536


def record(position: int, after: int | None, player_id: str | None, originator_id: str,
           originator_version: int, topic: str, state: bytes, prev_hash: str,
           hash_: str) -> dict[str, Any]:
    """One exported event; `after` is the previous record's position in this export."""
    return dict(zip(FIELDS_V1, (position, after, player_id, originator_id,
                                originator_version, topic, state.decode("utf-8"),
                                prev_hash, hash_)))


def record_v2(public: dict[str, Any], after: int | None, prev_hash: str,
              hash_: str) -> dict[str, Any]:
    """One exported event in format 2: its public record and chain fields."""
    return {**public, "after": after, "prevHash": prev_hash, "hash": hash_}


def record_bytes(item: dict[str, Any]) -> bytes:
    """What the records digest covers for one record."""
    return canonical_json(item) + b"\n"


class ExportWriter:
    """Turns records into the file's text, then signs the manifest at the end."""

    def __init__(self, file_format: str, version: int = 2):
        if file_format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        if version not in FORMAT_OF:
            raise ValueError("format_version must be 1 or 2")
        self.format = file_format
        self.version = version
        self.fields = FIELDS_OF[FORMAT_OF[version]]
        self.digest = hashlib.sha256()
        self.count = 0
        self.first: dict[str, Any] | None = None
        self.last: dict[str, Any] | None = None

    def header(self) -> str:
        return csv_line(self.fields) if self.format == "csv" else ""

    def write(self, item: dict[str, Any]) -> str:
        line = record_bytes(item)
        self.digest.update(line)
        self.count += 1
        self.first = self.first or item
        self.last = item
        if self.format == "jsonl":
            return line.decode("utf-8")
        return csv_line([csv_text(item[f]) for f in self.fields])

    def manifest(self, fields: dict[str, Any], signer: Signer,
                 empty_head: str) -> str:
        """The signed manifest line: `fields` plus what the records add up to."""
        first, last = self.first or {}, self.last or {}
        document = signer.sign({
            **fields, "format": FORMAT_OF[self.version], "count": self.count,
            "firstPosition": first.get("position"), "lastPosition": last.get("position"),
            "firstPrevHash": first.get("prevHash", empty_head),
            "lastHash": last.get("hash", empty_head),
            "recordsDigest": self.digest.hexdigest()})
        if self.format == "jsonl" and self.version == 1:
            return json.dumps({"manifest": document}, ensure_ascii=False) + "\n"
        if self.format == "jsonl":  # format 2: canonical JSON, like every other line
            return canonical_json({"manifest": document}).decode("utf-8") + "\n"
        return csv_line(["manifest", canonical_json(document).decode("utf-8")])


def stream(writer: ExportWriter, records: Iterable[dict[str, Any]],
           finish: Callable[[ExportWriter], str]) -> Iterator[str]:
    """The whole file in chunks of about 64 KiB: header, records, then the manifest
    that `finish(writer)` signs once the records are written."""
    chunk, size = [writer.header()], 0
    for item in records:
        line = writer.write(item)
        chunk.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(chunk)
            chunk, size = [], 0
    chunk.append(finish(writer))
    yield "".join(chunk)


def csv_line(cells: Iterable[Any]) -> str:
    """One CSV row as the exporter writes it (RFC 4180): cells joined by commas, a
    cell quoted (its quotes doubled) only if it holds a comma, a quote, CR or LF;
    the row ends with LF."""
    return ",".join(_csv_cell(str(cell)) for cell in cells) + "\n"


def csv_text(value: Any) -> str:
    """A record field as its CSV cell's text: null empty, an object (a format 2
    payload) its canonical JSON, a number in decimal."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return canonical_json(value).decode("utf-8")
    return str(value)


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
