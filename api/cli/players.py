"""`casino-ledger players ...` and `privacy ...`: erasure and key rotation (docs/privacy.md)."""

from __future__ import annotations

import getpass

import typer

from api.cli.context import console, services
from domain.kernel.errors import DomainError

players_cli = typer.Typer(help="Players: personal data.", no_args_is_help=True)
privacy_cli = typer.Typer(help="The keys that seal personal data.", no_args_is_help=True)


@players_cli.command("erase")
def players_erase(player_id: str,
                  reason: str = typer.Option(..., help="Why (kept in the log)."),
                  actor: str | None = typer.Option(None, help="Who (default cli:<user>).")):
    """Erase a player's personal data: their data key is destroyed for good."""
    with services() as built:
        try:
            outcome = built.privacy.erase(player_id, actor or f"cli:{getpass.getuser()}",
                                          reason)
        except DomainError as error:
            console.print(f"[red]refused[/red] {error.message}")
            raise typer.Exit(1) from None
    console.print(f"erased the personal data of {player_id} (log position "
                  f"{outcome.position})")


@privacy_cli.command("rotate")
def privacy_rotate():
    """Re-wrap every data key under the current master key."""
    with services() as built:
        count = built.privacy.keys.rotate()
    console.print(f"re-wrapped {count} data keys under master key "
                  f"{built.privacy.keys.master.current}")
