"""The `casino-ledger` command line: serve, tokens, projections, jobs, scheduler, relay."""

from __future__ import annotations

import getpass
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime

import typer
from rich.progress import Progress
from rich.table import Table

from api.http.auth import Role
from api.http.readers import figures
from api.cli.audit import audit_cli
from api.cli.chain import chain_cli
from api.cli.relay import relay_cli
from api.cli.staff import staff_cli
from api.cli.players import players_cli, privacy_cli
from api.cli.context import build, console, load_settings, services
from api.config.business import load_config
from domain.kernel.errors import DomainError
from domain.jobs.model import JobFailed
from domain.kernel.periods import Period

cli = typer.Typer(help="Event-sourced money core of a crypto casino.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read models built from the event log.",
                              no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
jobs_cli = typer.Typer(help="Scheduled jobs: run one for a period, list the runs.",
                       no_args_is_help=True)
cli.add_typer(jobs_cli, name="jobs")
scheduler_cli = typer.Typer(help="The schedule that runs the jobs.", no_args_is_help=True)
cli.add_typer(scheduler_cli, name="scheduler")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(chain_cli, name="chain")
cli.add_typer(relay_cli, name="relay")
cli.add_typer(staff_cli, name="staff")
cli.add_typer(players_cli, name="players")
cli.add_typer(privacy_cli, name="privacy")
@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000,
          workers: int = typer.Option(
              0, min=0, help="API processes on the port (0: one per core). With more "
              "than one, the projections and scheduler run once, in a followers "
              "process of their own."),
          follow: bool = typer.Option(True, help="Run the projections (and reactions)."),
          schedule: bool = typer.Option(True, help="Run the scheduled jobs "
                                        "(after catching up missed runs).")):
    """Serve the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from api.http.app import create_app
    from api.http.workers import Workers

    settings = load_settings()
    logging.basicConfig(level=logging.INFO)
    workers = workers or os.cpu_count() or 1
    console.print(f"casino-ledger on http://{host}:{port} (database "
                  f"{settings.database_url.split('@')[-1]}; {workers} API "
                  f"process{'es' if workers > 1 else ''})")
    if workers == 1:
        uvicorn.run(create_app(build(settings), follow=follow, schedule=schedule),
                    host=host, port=port)
        return
    build(settings).close()  # tables and schema created once, before the workers race
    followers = Followers(follow, schedule)
    followers.start()
    try:
        Workers(workers, host, port).run()
    finally:
        followers.stop()


class Followers:
    """The one process that runs the projections, reactions and scheduler beside
    `serve --workers N`'s API processes; restarted should it die."""

    def __init__(self, follow: bool, schedule: bool):
        self.what = ", ".join(w for w, on in (("projections", follow),
                                              ("scheduler", schedule)) if on)
        self.args = (["projections", "run", *(["--schedule"] if schedule else [])]
                     if follow else ["scheduler", "run"] if schedule else None)
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="followers", daemon=True)

    def start(self) -> None:
        if self.args is None:
            return
        self._spawn()
        self._watcher.start()

    def _spawn(self) -> None:
        assert self.args is not None
        self.process = subprocess.Popen([sys.executable, "-m", "api.cli.main", *self.args])
        console.print(f"followers process {self.process.pid}: {self.what}")

    def _watch(self) -> None:
        while not self._stopping.wait(1.0):
            # A clean exit (0) is a stop asked for (Ctrl-C reaches the whole
            # process group); anything else is a crash, and it starts again.
            if self.process is not None and self.process.poll() not in (None, 0):
                console.print(f"[red]followers process exited ({self.process.returncode})"
                              "[/red]; starting it again")
                self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@cli.command()
def token(role: Role = typer.Option(...), subject: str = typer.Option(...),
          ttl: int | None = typer.Option(None, help="Lifetime in seconds."),
          brand: str | None = typer.Option(None, help="Scope it to one brand's players.")):
    """Print a bearer token for the configured signing key."""
    settings = load_settings()
    from api.http.auth import TokenIssuer

    if brand is not None and brand not in load_config(settings.config).companies():
        console.print(f"[red]refused[/red] brand: {brand!r} is not a configured brand")
        raise typer.Exit(2)
    issuer = TokenIssuer(settings.signing_key(), default_ttl=settings.token_ttl)
    typer.echo(issuer.issue(role, subject, ttl, brand))


@projections_cli.command("status")
def projections_status():
    """Each projection's position, the log's head and the lag."""
    with services() as built:
        table = Table("projection", "position", "head", "lag", "error")
        for row in built.projections.status():
            table.add_row(row["name"], str(row["position"]), str(row["head"]),
                          str(row["lag"]), row["error"] or "")
        console.print(table)


@projections_cli.command("rebuild")
def projections_rebuild(name: str):
    """Drop a projection and build it again from position zero."""
    with services() as built:
        if name not in built.projections.views:
            console.print(f"[red]unknown projection[/red] {name}; known: "
                          + ", ".join(built.projections.views))
            raise typer.Exit(2)
        head = built.projections.head()
        with Progress(console=console) as progress:
            task = progress.add_task(f"rebuilding {name}", total=head or 1)
            built.projections.rebuild(
                name, progress=lambda position: progress.update(task, completed=position))
            progress.update(task, completed=head or 1)
        console.print(f"{name} rebuilt to position {built.projections.views[name].position()}")


@projections_cli.command("run")
def projections_run(schedule: bool = typer.Option(
        False, help="Also run the scheduled jobs in this process (as serve --workers "
        "N does).")):
    """Follow the log and keep every projection current (until interrupted or SIGTERM)."""
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    with services() as built:
        console.print("following the event log; Ctrl-C to stop")
        built.projections.start()
        if schedule:
            built.scheduler.start()
        stop.wait()
        built.scheduler.stop()
        built.projections.stop()


@jobs_cli.command("list")
def jobs_list(job: str | None = typer.Option(None, help="Only this job's runs."),
              outcome: str | None = typer.Option(None, help="running, succeeded or failed."),
              limit: int = typer.Option(20, min=1, max=500)):
    """The jobs with their next scheduled run, and the runs newest first."""
    if outcome not in (None, "running", "succeeded", "failed"):
        console.print(f"[red]invalid_input[/red] outcome: {outcome!r} is not running, "
                      "succeeded or failed")
        raise typer.Exit(2)
    with services() as built:
        built.projections.catch_up(["job_runs"])
        now = built.job_runner.clock.now()
        jobs = Table("job", "period", "next run (UTC)", "description")
        for entry in built.jobs:
            jobs.add_row(entry.name, entry.kind,
                         built.scheduler.next_run(entry.kind, now).isoformat(),
                         entry.description)
        console.print(jobs)
        runs = Table("job", "period", "outcome", "attempts", "trigger", "actor",
                     "started", "finished", "last error")
        for run in built.job_runs.list(job=job, outcome=outcome, limit=limit):
            finished = run["finishedAt"].isoformat() if run["finishedAt"] else ""
            runs.add_row(run["job"], run["period"], run["outcome"], str(run["attempts"]),
                         run["trigger"], run["actor"], run["startedAt"].isoformat(),
                         finished, run["lastError"])
        console.print(runs)


@jobs_cli.command("run")
def jobs_run(name: str,
             period: str = typer.Option(..., help="An ended period: 2026-01-15, "
                                        "2026-W03 or 2026-01 (UTC)."),
             actor: str | None = typer.Option(None, help="Who runs it (default cli:<user>).")):
    """Run a job for an ended period now, and print its run record as JSON."""
    logging.basicConfig(level=logging.INFO)
    with services() as built:
        try:
            ran = built.job_runner.run(name, Period.parse(period), trigger="manual",
                                       actor=actor or f"cli:{user()}")
        except JobFailed as error:
            console.print(f"[red]failed[/red] {error.message}")
            raise typer.Exit(1) from None
        except DomainError as error:
            console.print(f"[red]{error.code}[/red] {error.message}")
            raise typer.Exit(2) from None
        typer.echo(json.dumps(figures(ran.result) | {"position": ran.position},
                              default=isoformat, indent=2))


@scheduler_cli.command("run")
def scheduler_run():
    """Catch up missed job runs, then run the jobs on schedule (until interrupted)."""
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    with services() as built:
        console.print("catching up missed job runs")
        built.scheduler.start()
        console.print(f"running {len(built.jobs)} jobs on their UTC schedule; "
                      "Ctrl-C to stop")
        stop.wait()
        console.print("stopping the scheduler (a running job is let finish)")


def isoformat(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return "unknown"


def main() -> None:
    cli(prog_name="casino-ledger")


if __name__ == "__main__":
    sys.exit(main())
