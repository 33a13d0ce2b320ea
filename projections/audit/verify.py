"""`audit verify`: walk the stored events from zero and re-check the hash chain.

Every stored event is hashed again from its stored bytes, and its public record
(export format 2) from the decoded event, and both are compared with the chains
the follower recorded; the first position where they part is reported
(an altered, deleted or inserted event). Every signed checkpoint found in the
store is then checked: its signature with the public key of its key id, and
its hash (and, from checkpoint format 2, its public hash) against the
recomputed ones. Memory stays flat: one page at a time,
and only the recomputed hashes at checkpointed positions are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.audit.hash_chain import GENESIS, link, public_canonical
from domain.audit.public_record import later, public_record
from domain.ledger import Ledger
from domain.audit.signing import verify
from projections.audit.chain import AuditChainView, hash_of

PAGE = 1000
CHECKPOINT_TOPIC = "AuditCheckpoint.Signed"


def verify_store(ledger: Ledger, chain: AuditChainView, keys: dict[str, Ed25519PublicKey],
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The verification report: `ok`, `checked`, `firstBroken` and `checkpoints`."""
    until, _ = chain.head()
    wanted = {c["chained_position"] for c in chain.checkpoints()}
    walk = Walk(ledger, chain, wanted)
    walk.run(until, progress)
    problems = [checkpoint_problem(doc, walk.hashes, keys, walk.public_hashes)
                for doc in walk.documents]
    problems = [p for p in problems if p]
    return {"ok": walk.broken is None and not problems, "checked": walk.checked,
            "head": {"position": until, "hash": walk.prev.hex(),
                     "publicHash": walk.public_prev.hex()},
            "firstBroken": walk.broken,
            "checkpoints": {"checked": len(walk.documents), "problems": problems}}


class Walk:
    def __init__(self, ledger: Ledger, chain: AuditChainView, wanted: set[int]):
        self.ledger, self.chain, self.wanted = ledger, chain, wanted
        self.prev, self.checked = GENESIS, 0
        self.public_prev, self.log_time = GENESIS, None
        self.public_hashes: dict[int, str] = {}
        self.broken: dict[str, Any] | None = None
        self.hashes: dict[int, str] = {}
        self.documents: list[dict[str, Any]] = []

    def run(self, until: int, progress: Callable[[int], None] | None) -> None:
        start = 0
        while self.broken is None and start < until:
            notes = self.ledger.recorder.select_notifications(
                start=start, limit=PAGE, stop=until, inclusive_of_start=False)
            rows = self.chain.rows(start, notes[-1].id if notes else until, PAGE * 2)
            self.page(notes, {row["position"]: row for row in rows})
            start = notes[-1].id if notes else until
            if progress:
                progress(start)

    def page(self, notes: list[Any], rows: dict[int, dict[str, Any]]) -> None:
        stored = {note.id for note in notes}
        deleted = sorted(set(rows) - stored)
        for note in notes:
            if deleted and deleted[0] < note.id:
                return self.fail(deleted[0], "a chained event is missing from the store "
                                             "(deleted)")
            row = rows.get(note.id)
            if row is None:
                return self.fail(note.id, "a stored event is not in the chain (inserted)")
            try:
                digest = hash_of(self.prev, note.id, note)
            except (TypeError, ValueError):
                return self.fail(note.id, "the stored event is unreadable (altered)")
            if digest.hex() != row["hash"] or self.prev.hex() != row["prev_hash"]:
                return self.fail(note.id, "the stored event does not match its chain "
                                          "hash (altered)")
            if not self.public(note, row):
                return self.fail(note.id, "the event's public record does not match its "
                                          "public chain hash (altered)")
            self.visit(note, digest)
        if deleted and deleted[-1] > (notes[-1].id if notes else 0):
            self.fail(deleted[-1], "a chained event is missing from the store (deleted)")
        return None

    def public(self, note: Any, row: dict[str, Any]) -> bool:
        """Re-hash the public record (the player as the follower recorded it)."""
        event = self.ledger.mapper.to_domain_event(note)
        self.log_time = later(self.log_time, event.timestamp)
        digest = link(self.public_prev, public_canonical(
            public_record(note.id, self.log_time, event, row["player_id"])))
        if digest.hex() != row["public_hash"] or \
                self.public_prev.hex() != row["public_prev_hash"]:
            return False
        self.public_prev = digest
        if note.id in self.wanted:
            self.public_hashes[note.id] = digest.hex()
        return True

    def visit(self, note: Any, digest: bytes) -> None:
        self.prev, self.checked = digest, self.checked + 1
        if note.id in self.wanted:
            self.hashes[note.id] = digest.hex()
        if note.topic.endswith(CHECKPOINT_TOPIC):
            self.documents.append(self.ledger.mapper.to_domain_event(note).document)

    def fail(self, position: int, reason: str) -> None:
        self.broken = {"position": position, "reason": reason}


def checkpoint_problem(document: dict[str, Any], hashes: dict[int, str],
                       keys: dict[str, Ed25519PublicKey],
                       public_hashes: dict[int, str] | None = None) -> str | None:
    """What is wrong with a signed checkpoint found in the store, if anything."""
    position, key = document.get("position"), keys.get(document.get("keyId", ""))
    if key is None:
        return f"checkpoint at {position}: key id {document.get('keyId')!r} is not trusted"
    if not verify(document, key):
        return f"checkpoint at {position}: the signature does not verify"
    if position not in hashes:
        return f"checkpoint at {position}: not re-checked (missing from the chain view)"
    if hashes[position] != document.get("hash"):
        return f"checkpoint at {position}: the chain's hash there differs from the signed one"
    if "publicHash" in document and (public_hashes or {}).get(position) != \
            document["publicHash"]:
        return (f"checkpoint at {position}: the public chain's hash there differs from "
                "the signed one")
    return None
