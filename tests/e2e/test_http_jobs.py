"""Scheduled jobs over HTTP and from the command line.

`POST /v1/admin/jobs/{job}/run` and `GET /v1/admin/jobs` through the app, with
a test job that credits 1 USDT to a house test account per day (idempotent by
a requestId derived from the period); then the real `casino-ledger jobs` and
`scheduler run` commands, and `serve` with and without its schedule. The
clock is frozen at Thursday 2026-01-15 12:00 UTC.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from api.http.auth import Role
from domain.wallet.commands import Adjust
from schedulers.jobs.catalogue import Job
from domain.kernel.periods import Period
from tests.factories import postgres_url
from tests.e2e.http_helpers import assert_error
from tests.e2e.test_serve_process import (  # noqa: F401 - serve is a fixture
    COMMAND,
    Server,
    free_port,
    run_cli,
    serve,
    server_env,
)

PLAYER = "house-test"
RUN = "/v1/admin/jobs/test-credit/run"


@pytest.fixture
def credit_job(services) -> dict[str, Any]:
    """Registers `test-credit` (daily); periods in state["broken"] raise."""
    state: dict[str, Any] = {"broken": set(), "calls": []}

    def action(period: Period) -> dict[str, Any]:
        state["calls"].append(str(period))
        if str(period) in state["broken"]:
            raise RuntimeError(f"no data for {period}")
        outcome = services.ledger.execute(Adjust(
            request_id=f"test-credit:{period}", player_id=PLAYER, currency="USDT",
            amount=Decimal(1), balance="cash", reason=f"test credit {period}",
            actor="scheduler"))
        return {"credited": Decimal(1), "replayed": outcome.replayed}

    services.jobs.add(Job("test-credit", "day", action, "credits 1 USDT a day"))
    return state


def cash(client, headers, at: int) -> Decimal:
    read = client.get(f"/v1/players/{PLAYER}/balances",
                      headers=headers | {"X-Min-Position": str(at)})
    assert read.status_code == 200, read.text
    [balance] = read.json()["balances"]
    return Decimal(balance["cash"])


def test_an_operator_runs_a_job_for_an_ended_day_and_again_harmlessly(
        client, operator, credit_job, frozen_clock):
    done = client.post(RUN, json={"period": "2026-01-14"}, headers=operator)
    assert done.status_code == 200, done.text
    body = done.json()
    assert {k: body[k] for k in ("job", "period", "trigger", "actor", "attempts",
                                 "outcome", "summary", "lastError")} == {
        "job": "test-credit", "period": "2026-01-14", "trigger": "manual",
        "actor": "ops-bob", "attempts": 1, "outcome": "succeeded",
        "summary": {"credited": "1", "replayed": False}, "lastError": ""}
    assert body["startedAt"] == body["finishedAt"] == "2026-01-15T12:00:00Z"
    assert int(done.headers["X-Log-Position"]) == body["position"]
    assert cash(client, operator, body["position"]) == 1

    again = client.post(RUN, json={"period": "2026-01-14"}, headers=operator).json()
    assert (again["attempts"], again["outcome"]) == (2, "succeeded")
    assert again["summary"] == {"credited": "1", "replayed": True}
    assert cash(client, operator, again["position"]) == 1
    assert credit_job["calls"] == ["2026-01-14", "2026-01-14"]


def test_the_list_shows_the_catalogue_and_the_runs_newest_first(
        client, operator, credit_job, frozen_clock):
    for day in ("2026-01-12", "2026-01-13"):
        last = client.post(RUN, json={"period": day}, headers=operator)
    listed = client.get("/v1/admin/jobs", headers=operator | {
        "X-Min-Position": last.headers["X-Log-Position"]})
    assert listed.status_code == 200, listed.text
    assert listed.headers["X-View-Lag"] == "0"
    body = listed.json()
    assert body["jobs"][-1] == {"name": "test-credit", "period": "day",
                                "description": "credits 1 USDT a day",
                                "nextRunAt": "2026-01-16T00:00:30Z"}
    next_runs = {"day": "2026-01-16T00:00:30Z", "week": "2026-01-19T00:01:00Z",
                 "month": "2026-02-01T00:01:30Z"}
    assert all(j["nextRunAt"] == next_runs[j["period"]] for j in body["jobs"])
    assert [(r["period"], r["outcome"], r["attempts"]) for r in body["runs"]] == [
        ("2026-01-13", "succeeded", 1), ("2026-01-12", "succeeded", 1)]
    assert client.get("/v1/admin/jobs", params={"job": "other"},
                      headers=operator).json()["runs"] == []
    limited = client.get("/v1/admin/jobs", params={"limit": 1}, headers=operator).json()
    assert [r["period"] for r in limited["runs"]] == ["2026-01-13"]


def test_a_failing_job_answers_500_and_is_listed_failed_until_a_rerun_succeeds(
        client, operator, credit_job, frozen_clock):
    credit_job["broken"].add("2026-01-14")
    failed = client.post(RUN, json={"period": "2026-01-14"}, headers=operator)
    assert_error(failed, 500, "job_failed", "test-credit", "2026-01-14",
                 "RuntimeError: no data for 2026-01-14")
    head = str(client.app.state.services.ledger.head())
    runs = client.get("/v1/admin/jobs", params={"outcome": "failed"},
                      headers=operator | {"X-Min-Position": head}).json()["runs"]
    assert [(r["period"], r["attempts"], r["lastError"]) for r in runs] == [
        ("2026-01-14", 1, "RuntimeError: no data for 2026-01-14")]

    credit_job["broken"].clear()
    retried = client.post(RUN, json={"period": "2026-01-14"}, headers=operator)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["outcome"], retried.json()["attempts"]) == ("succeeded", 2)
    position = {"X-Min-Position": retried.headers["X-Log-Position"]}
    assert client.get("/v1/admin/jobs", params={"outcome": "failed"},
                      headers=operator | position).json()["runs"] == []


@pytest.mark.parametrize("period, mentions", [
    ("2026-01-15", ("2026-01-15 has not ended", "2026-01-16T00:00:00+00:00")),
    ("2026-01-16", ("has not ended",)),
    ("2026-W02", ("runs per day",)),
    ("2026-02-30", ("is not a day",)),
    ("yesterday", ("period",)),  # refused by the schema's pattern
])
def test_a_period_not_ended_or_not_a_day_is_a_422_and_runs_nothing(
        client, operator, credit_job, frozen_clock, period, mentions):
    head = client.app.state.services.ledger.head()
    refused = client.post(RUN, json={"period": period}, headers=operator)
    assert_error(refused, 422, "invalid_input", *mentions)
    assert client.app.state.services.ledger.head() == head
    assert credit_job["calls"] == []


@pytest.mark.parametrize("body", [{}, {"period": 20260114},
                                  {"period": "2026-01-14", "extra": 1}])
def test_a_body_that_does_not_fit_is_a_422(client, operator, credit_job, body):
    assert_error(client.post(RUN, json=body, headers=operator), 422, "invalid_input")


def test_an_unknown_job_is_a_404(client, operator, credit_job, frozen_clock):
    missing = client.post("/v1/admin/jobs/nope/run", json={"period": "2026-01-14"},
                          headers=operator)
    assert_error(missing, 404, "not_found", "nope", "test-credit")


def test_an_unknown_outcome_filter_is_a_422(client, operator):
    assert_error(client.get("/v1/admin/jobs", params={"outcome": "maybe"},
                            headers=operator), 422, "invalid_input", "outcome")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.COMPLIANCE, Role.REGULATOR,
                                  Role.PLAYER, Role.PROVIDER])
def test_only_operators_run_or_list_jobs(client, auth, credit_job, frozen_clock, role):
    headers = auth(role, "someone")
    assert_error(client.post(RUN, json={"period": "2026-01-14"}, headers=headers),
                 403, "forbidden")
    assert_error(client.get("/v1/admin/jobs", headers=headers), 403, "forbidden")
    assert credit_job["calls"] == []


def test_without_a_token_it_is_a_401(client, credit_job):
    assert_error(client.post(RUN, json={"period": "2026-01-14"}), 401, "unauthorized")
    assert_error(client.get("/v1/admin/jobs"), 401, "unauthorized")


# The command line and the served schedule, over the built-in catalogue.

def test_the_jobs_commands_list_and_refuse_clearly(database_url, tmp_path):
    env = server_env(database_url)
    listed = run_cli(env, tmp_path, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    assert "next run (UTC)" in listed.stdout and "attempts" in listed.stdout
    unknown = run_cli(env, tmp_path, "jobs", "run", "nope", "--period", "2026-01-14")
    assert unknown.returncode == 2, unknown.stdout + unknown.stderr
    assert "not_found" in unknown.stdout and "no job 'nope'" in unknown.stdout
    bad = run_cli(env, tmp_path, "jobs", "run", "nope", "--period", "2026-13")
    assert bad.returncode == 2 and "invalid_input" in bad.stdout, bad.stdout
    assert "Traceback" not in unknown.stdout + unknown.stderr + bad.stdout + bad.stderr


def test_jobs_run_runs_a_built_in_job_for_yesterday_and_jobs_list_shows_it(
        services, database_url, tmp_path):
    """The first job of the real catalogue, for its period that ended last."""
    [job, *_] = services.jobs
    period = Period.containing(job.kind, datetime.now(timezone.utc)).previous()
    env = server_env(database_url)
    done = run_cli(env, tmp_path, "jobs", "run", job.name, "--period", str(period),
                   "--actor", "alice")
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads(done.stdout)
    assert (record["job"], record["period"], record["outcome"], record["trigger"],
            record["actor"], record["attempts"]) == (
        job.name, str(period), "succeeded", "manual", "alice", 1)
    assert datetime.fromisoformat(record["finishedAt"]).tzinfo is not None
    listed = run_cli(env, tmp_path, "jobs", "list", "--job", job.name)
    assert listed.returncode == 0, listed.stderr
    assert str(period) in listed.stdout and "succeeded" in listed.stdout
    refused = run_cli(env, tmp_path, "jobs", "list", "--outcome", "maybe")
    assert refused.returncode == 2 and "outcome" in refused.stdout, refused.stdout


def test_scheduler_run_starts_and_stops_on_sigterm(database_url, tmp_path):
    process = subprocess.Popen([*COMMAND, "scheduler", "run"], cwd=tmp_path,
                               env=server_env(database_url), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline and process.poll() is None:
            lines.append(process.stdout.readline())
            if "Ctrl-C to stop" in lines[-1]:
                break
        assert any("Ctrl-C to stop" in line for line in lines), "".join(lines)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, "".join(lines) + output
    assert "stopping the scheduler" in output


class UnscheduledServer(Server):
    """`casino-ledger serve --no-schedule` on a free port."""

    def __init__(self, env: dict, cwd, log):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        with log.open("w") as sink:
            self.process = subprocess.Popen(
                [*COMMAND, "serve", "--no-schedule", "--port", str(self.port)], env=env,
                cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)


def test_serve_runs_the_schedule_unless_told_not_to(
        serve, postgres_database, tmp_path):  # noqa: F811 - the fixture
    """Processes, not storage: on PostgreSQL alone (two servers started)."""
    env = server_env(postgres_url(postgres_database))
    scheduled = serve(env)
    scheduled.stop()
    assert re.search(r"caught up \d+ missed job runs", scheduled.log()), scheduled.log()
    assert re.search(r"scheduler started with \d+ jobs", scheduled.log()), scheduled.log()

    unscheduled = UnscheduledServer(env, tmp_path, tmp_path / "unscheduled.log")
    try:
        unscheduled.wait_healthy()
        unscheduled.stop()
    finally:
        unscheduled.kill()
    assert "scheduler started" not in unscheduled.log(), unscheduled.log()
