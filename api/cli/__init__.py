"""The `casino-ledger` command line (the console script names `api.cli:main`)."""

from api.cli.main import main

__all__ = ["main"]
