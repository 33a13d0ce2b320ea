"""Liveness and readiness: the log's head and whether every projection follows it."""

from __future__ import annotations

from fastapi import APIRouter

from api.http.deps import ServicesDep
from api.http.schemas.common import Health, ProjectionStatus
from api.http.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(services: ServicesDep) -> Health:
    status = services.projections.status()
    healthy = not any(s["error"] for s in status)
    return Health(status="ok" if healthy else "degraded", head=services.projections.head(),
                  projections=[ProjectionStatus.model_validate(s) for s in status])
