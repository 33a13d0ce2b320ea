"""What every CLI command shares: settings, the services, the console.

Kept apart from api/cli/main.py so command groups in their own modules
(api/cli/audit.py) can use them without importing the whole CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console

from api.bootstrap import Services, bootstrap
from api.config.business import ConfigError
from api.config.settings import Settings

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
