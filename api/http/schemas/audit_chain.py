"""HTTP schemas of the audit chain: signed checkpoints and the verification keys."""

from __future__ import annotations

from typing import Literal

from api.http.schemas.common import Schema

ExportFormat = Literal["jsonl", "csv"]


class CheckpointPublic(Schema):
    """A signed statement: the chain's hash at `position` is `hash` (and, from
    `casino-ledger-checkpoint/2`, the public chain's is `publicHash`; absent
    before, so the signed fields are exactly those shown)."""

    type: str
    position: int
    hash: str
    public_hash: str | None = None
    signed_at: str
    key_id: str
    algorithm: str
    signature: str


class CheckpointTaken(CheckpointPublic):
    recorded_at: int | None = None


class CheckpointsPublic(Schema):
    checkpoints: list[CheckpointPublic]


class KeyPublic(Schema):
    """The key that signs checkpoints and manifests now, to verify exports offline."""

    key_id: str
    algorithm: str
    public_key_hex: str
    public_key_pem: str
