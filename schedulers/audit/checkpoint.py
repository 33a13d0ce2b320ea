"""Signed checkpoints of the audit chain's head: daily, and on demand.

A checkpoint signs "the chain's hash at position P is H" with the audit key
(its key id inside the signed document) and records it as an event
(domain/audit/model.py), so it is chained in turn. A run first lets the chain
follower catch up, then signs its head; signing a head already signed
records nothing new, so the job is idempotent for its period.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from domain.audit.model import RecordCheckpoint
from domain.commanding.runner import Outcome
from domain.kernel.clock import clock
from domain.ledger import Ledger
from domain.audit.signing import Signer
from projections.audit.chain import AuditChainView
from projections.engine.runner import ProjectionRunner
from schedulers.jobs.catalogue import Job
from domain.kernel.periods import DAY, Period

# Format 2 signs both chain heads: `hash` (stored bytes, as format 1 did) and
# `publicHash` (the public records of export format 2).
CHECKPOINT = "casino-ledger-checkpoint/2"


def checkpoint_jobs(ledger: Ledger, projections: ProjectionRunner,
                    signer: Signer) -> list[Job]:
    return [Job("audit-checkpoint", DAY, partial(scheduled, ledger, projections, signer),
                "sign the audit hash chain's head (docs/audit.md)")]


def scheduled(ledger: Ledger, projections: ProjectionRunner, signer: Signer,
              period: Period) -> dict[str, Any]:
    taken = take_checkpoint(ledger, projections, signer, actor="scheduler")
    if taken is None:
        return {"signed": False, "reason": "the log is empty"}
    document = taken.result.document
    return {"signed": True, "position": document["position"], "keyId": document["keyId"]}


def take_checkpoint(ledger: Ledger, projections: ProjectionRunner, signer: Signer,
                    actor: str) -> Outcome | None:
    """Sign the chain's head now: the checkpoint kept (`CheckpointKept`) and where
    it was recorded (None for an empty log, which has nothing to sign)."""
    projections.catch_up(["audit_chain"])
    chain: AuditChainView = projections.views["audit_chain"]  # type: ignore[assignment]
    heads = chain.heads()
    position = heads["position"]
    if position == 0:
        return None
    document = signer.sign({"type": CHECKPOINT, "position": position,
                            "hash": heads["hash"], "publicHash": heads["publicHash"],
                            "signedAt": clock.now().isoformat()})
    return ledger.execute(RecordCheckpoint(document=document, actor=actor))
