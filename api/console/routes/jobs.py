"""Job runs, newest first, and a manual run of a job for an ended period (operator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from api.console.nav import JOBS
from api.console.reads import current, dumped, paged
from api.console.web import Staff, act, page, render
from api.http.routes import jobs as api
from api.http.schemas.reports import JobRunCreate
from domain.kernel.text import check_id

router = APIRouter()


@router.get("/jobs")
def jobs(request: Request, page_number: int = 1,
         staff: Staff = page(*JOBS.roles)) -> Response:
    services = request.app.state.services
    current(services)
    found = dumped(api.jobs(services, job=None, outcome=None, limit=500))
    return render(request, "jobs.html", staff, catalogue=found["jobs"],
                  runs=paged(found["runs"], page_number))


@router.post("/jobs/run")
def run(request: Request, job: Annotated[str, Form(max_length=128)],
        period: Annotated[str, Form(max_length=20)],
        staff: Staff = page(*JOBS.roles)) -> Response:
    def ran() -> str:
        check_id(job, "job")
        body = JobRunCreate.model_validate({"period": period})
        done = api.run(job, body, request.app.state.services, Response(), staff.principal)
        return f"{done.job} {done.period}: {done.outcome} (attempt {done.attempts})"

    return act(request, staff, ran)
