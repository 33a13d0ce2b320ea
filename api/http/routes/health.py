"""Liveness and readiness: the log's head, whether every projection follows it, and
whether the scheduler's loops (the schedule, the chain pollers) get through."""

from __future__ import annotations

from fastapi import APIRouter

from api.http.deps import ServicesDep
from api.http.schemas.common import Health, LoopStatus, ProjectionStatus
from api.http.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(services: ServicesDep) -> Health:
    status = services.projections.status()
    loops = services.scheduler.loops.status()
    healthy = not any(s["error"] for s in [*status, *loops])
    return Health(status="ok" if healthy else "degraded", head=services.projections.head(),
                  projections=[ProjectionStatus.model_validate(s) for s in status],
                  loops=[LoopStatus.model_validate(s) for s in loops])
