"""The hash chain over the event log (docs/audit-export.md, "Hashing").

Each stored event, in log order, gets `hash = SHA-256(prev_hash || canonical)`,
where `prev_hash` is the previous event's hash (32 zero bytes before the first)
and `canonical` is built from the stored record only: its log position, its
aggregate id and version, its topic and its stored state bytes, exactly as the
event store keeps them. Hashing the stored bytes (not a re-encoding of the
decoded event) keeps old hashes valid when event classes are upcast later, and
gives the same chain on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

import orjson

from domain.audit.signing import canonical_json

GENESIS = bytes(32)


def canonical(position: int, originator_id: UUID | str, originator_version: int,
              topic: str, state: bytes) -> bytes:
    """The bytes a position's hash covers: four text lines, then the state bytes."""
    if not isinstance(originator_id, UUID):  # SQLite hands back the hex text
        originator_id = UUID(originator_id)
    header = f"{position}\n{originator_id}\n{originator_version}\n{topic}\n"
    return header.encode("utf-8") + state


def link(prev_hash: bytes, canonical_bytes: bytes) -> bytes:
    """The hash of one position, given the hash before it."""
    return hashlib.sha256(prev_hash + canonical_bytes).digest()


# The public chain (export format 2): the same log, hashed over what a regulator
# reads. Each position's public record is the event's public name, version and
# plain payload with its envelope; the bytes hashed are that record's canonical
# JSON (sorted keys, no spaces, UTF-8), so a verifier needs no knowledge of the
# event library. It runs beside the stored-bytes chain above, which stays as it
# was: checkpoints signed over it still verify.
PUBLIC_FIELDS = ("position", "time", "name", "version", "playerId", "aggregateId",
                 "aggregateVersion", "payload")


def public_canonical(public_record: dict) -> bytes:
    """The bytes a position's public hash covers: the canonical JSON of its public
    record's PUBLIC_FIELDS (`after`, `prevHash` and `hash` are not part of it).

    orjson writes the same bytes as `canonical_json` (the standard library's
    encoder) for these records (tests/unit/test_hash_chain.py
    holds it to that) in a sixth of the time; it refuses integers past 64 bits,
    which the standard encoder then writes."""
    fields = {k: public_record[k] for k in PUBLIC_FIELDS}
    try:
        return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return canonical_json(fields)
