"""`casino-ledger staff`: add back-office accounts, set passwords, unlock, list.

A password is typed at a hidden prompt (or read from standard input with
--password-stdin, for scripts), hashed with argon2 and sealed before it is
recorded; the second factor is enrolled at the first console sign-in.
"""

from __future__ import annotations

import sys

import typer
from eventsourcing.application import AggregateNotFoundError

from api.cli.context import console, load_settings, services
from api.console.credentials import MIN_PASSWORD, Credentials
from domain.kernel.errors import DomainError
from domain.staff.commands import AddStaff, SetPassword, Unlock
from domain.staff.model import STAFF_ROLES, StaffAccount, staff_key

staff_cli = typer.Typer(help="Back-office staff accounts (the console's sign-in).",
                        no_args_is_help=True)
PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                              help="Read the password from standard input.")


def password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt(f"Password (at least {MIN_PASSWORD} characters)", hide_input=True,
                        confirmation_prompt=True)


def run(command_of) -> None:
    """Make the command (sealing a password needs only the key), then run it and
    print the account; a refusal exits 2."""
    settings = load_settings()
    try:
        command = command_of(Credentials(settings.signing_key()))
        with services() as built:
            done = built.ledger.execute(command).result
    except (DomainError, ValueError) as error:
        console.print(f"[red]refused[/red] {getattr(error, 'message', error)}")
        raise typer.Exit(2) from None
    console.print(f"{done.name}: {done.role}, brand {done.brand or 'all'}, second "
                  f"factor {'enrolled' if done.enrolled else 'to enrol at first sign-in'}"
                  f"{', locked' if done.locked else ''}")


@staff_cli.command("add")
def add(name: str, role: str = typer.Option(..., help=", ".join(STAFF_ROLES)),
        brand: str | None = typer.Option(None, help="Scope to one brand (default: all)."),
        password_stdin: bool = PASSWORD_STDIN):
    """Add a staff account; its second factor is enrolled at the first sign-in."""
    try:
        StaffAccount.check_new(name, role, brand)
    except DomainError as error:
        console.print(f"[red]refused[/red] {error.message}")
        raise typer.Exit(2) from None
    secret = password(password_stdin)
    run(lambda c: AddStaff(name, role=role, brand=brand,
                           password=c.sealed_password(name, secret), actor=actor()))


@staff_cli.command("password")
def set_password(name: str, password_stdin: bool = PASSWORD_STDIN):
    """Set a new password; the second factor is enrolled again at the next sign-in."""
    secret = password(password_stdin)
    run(lambda c: SetPassword(name, password=c.sealed_password(name, secret),
                              actor=actor()))


@staff_cli.command("unlock")
def unlock(name: str):
    """Lift a lock-out after repeated failed sign-ins."""
    run(lambda _: Unlock(name, actor=actor()))


@staff_cli.command("show")
def show(name: str):
    """An account's role, brand, second factor and lock."""
    with services() as built:
        try:
            account = built.ledger.repository.get(staff_key(name))
        except AggregateNotFoundError:
            console.print(f"[red]not_found[/red] no staff account {name!r}")
            raise typer.Exit(2) from None
        console.print(f"{account.name}: {account.role}, brand {account.brand or 'all'}, "
                      f"{account.failures} failed sign-ins in a row, locked until "
                      f"{account.locked_until.isoformat() if account.locked_until else '-'}")


def actor() -> str:
    from api.cli.main import user

    return f"cli:{user()}"
