"""The `casino-ledger` command line: serve, tokens, projections."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api.auth import Role
from api.bootstrap import Services, bootstrap
from api.config import ConfigError
from api.settings import Settings

cli = typer.Typer(help="Event-sourced money core of a crypto casino.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read models built from the event log.",
                              no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
console = Console()


def load_settings() -> Settings:
    try:
        return Settings()
    except SettingsError as error:  # a complex value that is not valid JSON
        console.print(f"[red]configuration error[/red] {error}")
        raise typer.Exit(2) from None
    except ValidationError as error:
        for problem in error.errors():
            field = "CASINO_LEDGER_" + "_".join(str(p) for p in problem["loc"]).upper()
            console.print(f"[red]configuration error[/red] {field}: {problem['msg']}")
        raise typer.Exit(2) from None


def build(settings: Settings) -> Services:
    try:
        return bootstrap(settings)
    except ConfigError as error:
        console.print(f"[red]configuration error[/red] {error}")
        raise typer.Exit(2) from None


@contextmanager
def services() -> Iterator[Services]:
    built = build(load_settings())
    try:
        yield built
    finally:
        built.close()


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000,
          follow: bool = typer.Option(True, help="Run the projections in this process.")):
    """Serve the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from api.app import create_app

    settings = load_settings()
    logging.basicConfig(level=logging.INFO)
    console.print(f"casino-ledger on http://{host}:{port} (database "
                  f"{settings.database_url.split('@')[-1]})")
    uvicorn.run(create_app(build(settings), follow=follow), host=host, port=port)


@cli.command()
def token(role: Role = typer.Option(...), subject: str = typer.Option(...),
          ttl: int | None = typer.Option(None, help="Lifetime in seconds.")):
    """Print a bearer token for the configured signing key."""
    settings = load_settings()
    from api.auth import TokenIssuer

    issuer = TokenIssuer(settings.signing_key(), default_ttl=settings.token_ttl)
    typer.echo(issuer.issue(role, subject, ttl))


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
def projections_run():
    """Follow the log and keep every projection current (until interrupted)."""
    logging.basicConfig(level=logging.INFO)
    with services() as built:
        console.print("following the event log; Ctrl-C to stop")
        try:
            built.projections.run()
        except KeyboardInterrupt:
            pass


def main() -> None:
    cli(prog_name="casino-ledger")


if __name__ == "__main__":
    sys.exit(main())
