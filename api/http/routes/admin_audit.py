"""Compliance's audit tools: verified replays (run as recorded jobs) and the adjustment log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.http.schemas.common import INSTANT_QUERY, PathId, PlayerIdQuery, PositionCursor
from api.http.schemas.audit import (
    AuditedActionPage,
    AuditedActionPublic,
    ReplayCreate,
    ReplayPublic,
)
from api.http.auth import Principal, Role
from api.http.deps import ConsistentRead, ServicesDep, position_cursor, require
from api.http.readers import figures
from api.http.strict_json import StrictJsonRoute
from domain.kernel.clock import parse_instant

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin/audit", tags=["audit"])


@router.post("/replay", response_model=ReplayPublic, status_code=202)
def replay(body: ReplayCreate, services: ServicesDep,
           principal: Principal = require(Role.COMPLIANCE)) -> ReplayPublic:
    """Start a verified replay in the background and answer its record (`running`).

    The same requestId again answers the same run and starts nothing.
    """
    run = services.replays.request(body.request_id, principal.subject, body.until)
    return ReplayPublic.model_validate(figures(run))


@router.get("/replays/{request_id}", response_model=ReplayPublic,
            dependencies=[require(Role.COMPLIANCE)])
def replay_result(request_id: PathId, services: ServicesDep) -> ReplayPublic:
    """A replay's record: `running`, or its verdict, position, differences and summary."""
    return ReplayPublic.model_validate(figures(services.replays.get(request_id)))


@router.get("/adjustments", response_model=AuditedActionPage,
            dependencies=[require(Role.COMPLIANCE, Role.FINANCE), ConsistentRead])
def adjustments(services: ServicesDep, player_id: PlayerIdQuery = None,
                currency: str | None = None,
                kind: str | None = None,
                start: Annotated[str | None, Query(alias="from",
                                                   json_schema_extra=INSTANT_QUERY)] = None,
                end: Annotated[str | None, Query(alias="to",
                                                 json_schema_extra=INSTANT_QUERY)] = None,
                cursor: PositionCursor = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50) -> AuditedActionPage:
    """Manual adjustments and audited operator actions, newest first: who, the values
    before and after, and the reason; `from` <= time < `to` (ISO-8601 with a zone)."""
    found = services.adjustment_log.page(
        player_id=player_id, currency=currency, kind=kind,
        start=parse_instant(start, "from") if start is not None else None,
        end=parse_instant(end, "to") if end is not None else None,
        before=position_cursor(cursor, "adjustment log"), limit=limit)
    next_cursor = str(found[-1]["position"]) if len(found) == limit else None
    return AuditedActionPage(entries=[AuditedActionPublic.model_validate(e) for e in found],
                             next_cursor=next_cursor)


