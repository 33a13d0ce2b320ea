"""Scheduled jobs by hand: run one for an ended period, list the catalogue and the runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.http.auth import Principal, Role
from api.http.deps import ConsistentRead, ServicesDep, log_position, require
from api.http.readers import figures
from api.http.schemas.reports import (
    JobOutcome,
    JobPublic,
    JobRunCreate,
    JobRunPublic,
    JobsPublic,
)
from api.http.schemas.common import PathId, ErrorPublic
from api.http.strict_json import StrictJsonRoute
from domain.kernel.periods import Period

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin/jobs", tags=["jobs"], responses={
    404: {"model": ErrorPublic, "description": "No such job"},
    500: {"model": ErrorPublic, "description": "The job failed (recorded as failed)"}})


@router.post("/{job}/run", response_model=JobRunPublic)
def run(job: PathId, body: JobRunCreate, services: ServicesDep, response: Response,
        principal: Principal = require(Role.OPERATOR)) -> JobRunPublic:
    """Run a job now for a period that has ended, and answer its record.

    Running a period that already succeeded is harmless (every job is
    idempotent for its period) and counts as another attempt. A failing job is
    recorded as failed and answers 500 `job_failed`.
    """
    ran = services.job_runner.run(job, Period.parse(body.period), trigger="manual",
                                  actor=principal.subject)
    log_position(response, ran.position)
    return JobRunPublic.model_validate(figures(ran.result) | {"position": ran.position})


# The role is checked before the (bounded) wait for the views.
@router.get("", response_model=JobsPublic,
            dependencies=[require(Role.OPERATOR), ConsistentRead])
def jobs(services: ServicesDep, job: str | None = None, outcome: JobOutcome | None = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 100) -> JobsPublic:
    """The catalogue with each job's next scheduled run, and the runs newest first."""
    now = services.job_runner.clock.now()
    catalogue = [JobPublic(name=j.name, period=j.kind, description=j.description,
                           next_run_at=services.scheduler.next_run(j.kind, now))
                 for j in services.jobs]
    runs = services.job_runs.list(job=job, outcome=outcome, limit=limit)
    return JobsPublic(jobs=catalogue, runs=[JobRunPublic.model_validate(r) for r in runs])
