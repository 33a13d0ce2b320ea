"""`casino-ledger audit`: what auditors and regulators run (docs/audit.md).

Each command is a thin translation to the audit functions in `audit/`-related
modules; this module only parses options and prints.
"""

from __future__ import annotations

import typer

audit_cli = typer.Typer(help="Audit: balances as of a time, verified replays, "
                        "tamper evidence and signed exports.", no_args_is_help=True)
