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

GENESIS = bytes(32)


def canonical(position: int, originator_id: UUID | str, originator_version: int,
              topic: str, state: bytes) -> bytes:
    """The bytes a position's hash covers: four text lines, then the state bytes."""
    header = f"{position}\n{UUID(str(originator_id))}\n{originator_version}\n{topic}\n"
    return header.encode("utf-8") + state


def link(prev_hash: bytes, canonical_bytes: bytes) -> bytes:
    """The hash of one position, given the hash before it."""
    return hashlib.sha256(prev_hash + canonical_bytes).digest()
