"""Regulators' exports of the event log, the chain's checkpoints and the signing key.

An export streams the selected events with their hash-chain fields and ends
with a signed manifest (docs/audit-export.md); it is recorded as an event
before the first byte is sent.
"""

from __future__ import annotations

from typing import Annotated

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.http.schemas.audit_chain import (
    CheckpointPublic,
    CheckpointsPublic,
    CheckpointTaken,
    ExportFormat,
    KeyPublic,
)
from api.http.auth import Principal, Role
from api.http.brand_scope import BrandFilter
from api.http.deps import ConsistentRead, ServicesDep, require
from api.http.schemas.common import Instant, PlayerIdQuery
from api.http.strict_json import StrictJsonRoute
from domain.kernel.errors import Conflict
from domain.audit.signing import ALGORITHM, public_hex
from projections.audit.export import Selection, export
from schedulers.audit.checkpoint import take_checkpoint

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/audit", tags=["audit"])
AUDITORS = (Role.REGULATOR, Role.COMPLIANCE)
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}},
                             "description": "records, then the signed manifest"}})
def events(services: ServicesDep,
           start: Annotated[Instant | None, Query(alias="from")] = None,
           end: Annotated[Instant | None, Query(alias="to")] = None,
           player_id: PlayerIdQuery = None,
           types: Annotated[str | None, Query(description="comma-separated event types, "
                                              "e.g. Wallet.Credited,Bet.Placed")] = None,
           file_format: Annotated[ExportFormat, Query(alias="format")] = "jsonl",
           format_version: Annotated[int, Query(
               ge=1, le=2, alias="formatVersion", description="2: public names and payloads (the "
               "default); 1: stored topics and states")] = 2,
           brand: BrandFilter = None,
           principal: Principal = require(*AUDITORS)) -> StreamingResponse:
    """Stream the events of a time range (`from` included, `to` excluded), a player,
    a brand's players and/or event types in log order, each with its hash-chain fields."""
    selection = Selection(start, end, player_id,
                          tuple(t.strip() for t in (types or "").split(",") if t.strip()),
                          brand)
    export_id, chunks = export(services.ledger, services.projections,
                               services.audit_signer, selection, file_format,
                               principal.subject, principal.role.value, format_version)
    name = f"casino-ledger-export-{export_id}.{file_format}"
    return StreamingResponse(chunks, media_type=MEDIA[file_format], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Export-Id": export_id})


# The role is checked before the (bounded) wait for the views.
@router.get("/checkpoints", response_model=CheckpointsPublic,
            response_model_exclude_none=True, dependencies=[require(*AUDITORS), ConsistentRead])
def checkpoints(services: ServicesDep) -> CheckpointsPublic:
    """Every signed checkpoint of the chain's head, oldest first."""
    rows = services.audit_chain.checkpoints()
    return CheckpointsPublic(checkpoints=[CheckpointPublic.model_validate_json(r["document"])
                                          for r in rows])


@router.post("/checkpoints", response_model=CheckpointTaken,
             response_model_exclude_none=True)
def checkpoint(services: ServicesDep,
               principal: Principal = require(Role.COMPLIANCE)) -> CheckpointTaken:
    """Sign the chain's head now (a head already signed is answered again)."""
    taken = take_checkpoint(services.ledger, services.projections, services.audit_signer,
                            actor=principal.subject)
    if taken is None:
        raise Conflict("the log is empty: there is nothing to sign yet")
    return CheckpointTaken.model_validate(taken.result.document
                                          | {"recordedAt": taken.position})


@router.get("/keys/current", response_model=KeyPublic, dependencies=[require(*AUDITORS)])
def key(services: ServicesDep) -> KeyPublic:
    """The public key of the current signing key, to verify exports offline."""
    public = services.audit_signer.public
    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return KeyPublic(key_id=services.audit_signer.key_id, algorithm=ALGORITHM,
                     public_key_hex=public_hex(public), public_key_pem=pem.decode())
