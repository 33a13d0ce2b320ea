"""`casino-ledger audit`: what auditors and regulators run (docs/audit.md).

Each command is a thin translation to the audit functions in `audit/`-related
modules; this module only parses options and prints.
"""

from __future__ import annotations

import typer

from api import cli_audit_chain

audit_cli = typer.Typer(help="Audit: balances as of a time, verified replays, "
                        "tamper evidence and signed exports.", no_args_is_help=True)


# Tamper evidence and exports (api/cli_audit_chain.py).
audit_cli.command("verify")(cli_audit_chain.verify)
audit_cli.command("checkpoint")(cli_audit_chain.checkpoint)
audit_cli.command("export")(cli_audit_chain.export_file)
audit_cli.command("verify-export")(cli_audit_chain.verify_export_file)
audit_cli.command("public-key")(cli_audit_chain.show_public_key)
