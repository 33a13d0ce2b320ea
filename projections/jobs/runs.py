"""Job runs: one row per job and period, as the back office lists them.

The row mirrors the JobRun aggregate: the latest attempt's trigger, actor and
times, the number of attempts, the outcome (`running` while an attempt has no
result), the latest summary and the most recent error (kept after a later
success, so a retried failure stays visible). Newest first is by the log
position of the latest attempt's start.
"""

from __future__ import annotations

import json
from typing import Any

from domain.jobs.model import RUNNING, JobRun
from projections.engine.database import Cursor, equal_to, timestamp
from projections.engine.view import View

COLUMNS = ("run_id", "job_name", "period", "run_trigger", "actor", "attempts",
           "outcome", "started_at", "finished_at", "last_error", "summary",
           "started_position", "position")
UPSERT = (
    f"INSERT INTO {{s}}job_runs ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)}) ON CONFLICT (run_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[3:])
)


class UnknownRun(Exception):
    """An event for a run whose opening the view never saw: a bug, never skipped."""


class JobRunsView(View):
    name = "job_runs"
    tables = ("job_runs",)
    order_by = {"job_runs": "run_id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}job_runs (run_id TEXT PRIMARY KEY, "
        "job_name TEXT NOT NULL, period TEXT NOT NULL, run_trigger TEXT NOT NULL, "
        "actor TEXT NOT NULL, attempts INTEGER NOT NULL, outcome TEXT NOT NULL, "
        "started_at {time} NOT NULL, finished_at {time}, last_error TEXT NOT NULL, "
        "summary TEXT NOT NULL, started_position BIGINT NOT NULL, "
        "position BIGINT NOT NULL, UNIQUE (job_name, period))",
        "CREATE INDEX IF NOT EXISTS job_runs_newest ON {s}job_runs (started_position)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for position, event in batch:
            handler = HANDLERS.get(type(event))
            if handler is None:
                continue
            run_id = str(event.originator_id)
            if isinstance(event, JobRun.Opened):
                row = opened(run_id, position, event)
            else:
                row = rows.get(run_id) or self._load(cursor, run_id)
                handler(row, position, event)
            row["position"] = position
            rows[run_id] = row
        cursor.executemany(UPSERT, [tuple(row[c] for c in COLUMNS)
                                    for row in rows.values()])

    def _load(self, cursor: Cursor, run_id: str) -> dict[str, Any]:
        found = cursor.execute("SELECT * FROM {s}job_runs WHERE run_id = ?",
                               (run_id,)).fetchone()
        if found is None:
            raise UnknownRun(f"no opening of job run {run_id} in the job_runs view")
        return {c: found[c] for c in COLUMNS}

    def list(self, job: str | None = None, outcome: str | None = None,
             limit: int = 100) -> list[dict[str, Any]]:
        """Runs newest first (by their latest attempt's start)."""
        clauses, params = equal_to(job_name=job, outcome=outcome)
        clauses.insert(0, "1 = 1")
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}job_runs WHERE {' AND '.join(clauses)} "
                "ORDER BY started_position DESC LIMIT ?", (*params, limit)).fetchall()
        return [run(row) for row in found]

    def get(self, job: str, period: str) -> dict[str, Any] | None:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT * FROM {s}job_runs WHERE job_name = ? AND period = ?",
                (job, period)).fetchone()
        return run(found) if found else None


# One handler per event type; each changes the row as the aggregate changes itself.

def opened(run_id: str, position: int, event: Any) -> dict[str, Any]:
    return {"run_id": run_id, "job_name": event.name, "period": event.period,
            "run_trigger": "", "actor": "", "attempts": 0, "outcome": RUNNING,
            "started_at": event.timestamp, "finished_at": None, "last_error": "",
            "summary": "{}", "started_position": position, "position": position}


def started(row: dict[str, Any], position: int, event: Any) -> None:
    row.update(run_trigger=event.trigger, actor=event.actor, attempts=event.attempt,
               outcome=RUNNING, started_at=event.timestamp, finished_at=None,
               started_position=position)


def finished(row: dict[str, Any], position: int, event: Any) -> None:
    row.update(outcome=event.outcome, finished_at=event.timestamp,
               summary=json.dumps(event.summary, sort_keys=True))
    if event.error:
        row["last_error"] = event.error


HANDLERS = {JobRun.Opened: opened, JobRun.Started: started, JobRun.Finished: finished}


def run(row: Any) -> dict[str, Any]:
    """A job_runs row as the API shows it."""
    return {
        "job": row["job_name"],
        "period": row["period"],
        "trigger": row["run_trigger"],
        "actor": row["actor"],
        "attempts": row["attempts"],
        "outcome": row["outcome"],
        "startedAt": timestamp(row["started_at"]),
        "finishedAt": timestamp(row["finished_at"]) if row["finished_at"] else None,
        "summary": json.loads(row["summary"]),
        "lastError": row["last_error"],
    }
