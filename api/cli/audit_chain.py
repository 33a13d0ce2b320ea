"""`casino-ledger audit verify | checkpoint | export | verify-export | public-key`.

Tamper evidence and exports on the command line (docs/audit.md): thin
translations to projections/audit/verify.py, schedulers/audit/checkpoint.py,
projections/audit/export.py and the database-free domain/audit/export_verify.py.
"""

from __future__ import annotations

import getpass
import json
import sys
from contextlib import nullcontext
from pathlib import Path

import typer
from cryptography.hazmat.primitives import serialization
from rich.progress import Progress

from api.cli.context import console, services
from domain.kernel.errors import DomainError
from domain.audit.export_verify import trusted_keys, verify_export
from domain.kernel.clock import parse_instant
from domain.audit.signing import public_hex, public_key
from projections.audit.export import Selection, export
from projections.audit.verify import verify_store
from schedulers.audit.checkpoint import take_checkpoint


def verify() -> None:
    """Re-walk the stored events from zero, re-hash each one and compare it with the
    chain; check every signed checkpoint. Exit 1 at the first broken link."""
    with services() as built, Progress(console=console, transient=True) as bar:
        built.projections.catch_up(["audit_chain"])
        task = bar.add_task("re-hashing the log", total=built.audit_chain.head()[0] or 1)
        keys = built.settings.audit_public_keys(built.audit_signer)
        report = verify_store(built.ledger, built.audit_chain, keys,
                              progress=lambda done: bar.update(task, completed=done))
    console.print_json(json.dumps(report))
    if not report["ok"]:
        broken = report["firstBroken"]
        if broken:
            console.print(f"[red]broken[/red] at position {broken['position']}: "
                          f"{broken['reason']}")
        raise typer.Exit(1)


def checkpoint() -> None:
    """Sign the chain's head now and record the checkpoint."""
    with services() as built:
        taken = take_checkpoint(built.ledger, built.projections, built.audit_signer,
                                actor=getpass.getuser())
    if taken is None:
        console.print("the log is empty: nothing to sign")
        raise typer.Exit(1)
    console.print_json(json.dumps(taken.result.document | {"recordedAt": taken.position}))


def export_file(
        start: str | None = typer.Option(None, "--from", help="ISO-8601 with a zone, "
                                         "e.g. 2026-01-01T00:00:00Z."),
        end: str | None = typer.Option(None, "--to", help="Excluded; ISO-8601 with a zone."),
        player: str | None = typer.Option(None, help="Only this player's events."),
        types: str | None = typer.Option(None, help="Comma-separated event types, e.g. "
                                         "Wallet.Credited,Bet.Placed."),
        file_format: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
        format_version: int = typer.Option(2, "--format-version", help="2 (public names "
                                           "and payloads) or 1 (stored topics and "
                                           "states)."),
        out: Path | None = typer.Option(None, help="The file to write (default: stdout).")):
    """Export the selected events with their hash-chain fields and a signed manifest."""
    kinds = tuple(t.strip() for t in (types or "").split(",") if t.strip())
    with services() as built:
        try:
            selection = Selection(start and parse_instant(start, "from"),
                                  end and parse_instant(end, "to"), player, kinds)
            export_id, chunks = export(built.ledger, built.projections, built.audit_signer,
                                       selection, file_format, getpass.getuser(), "cli",
                                       format_version)
        except (DomainError, ValueError) as error:
            console.print(f"[red]refused[/red] {error}")
            raise typer.Exit(2) from None
        with (out.open("w", encoding="utf-8", newline="") if out
              else nullcontext(sys.stdout)) as sink:
            for chunk in chunks:
                sink.write(chunk)
    typer.echo(f"export {export_id} written", err=True)


def verify_export_file(
        file: Path = typer.Argument(..., exists=True, dir_okay=False),
        key: str | None = typer.Option(None, "--public-key", help="The signer's public "
                                       "key: 64 hex digits, PEM, or a file holding either."),
        key_id: str | None = typer.Option(None, "--key-id", help="The key id the manifest "
                                          "must name (default: the key's own id, "
                                          "ed25519:...)."),
        trusted: Path | None = typer.Option(None, "--trusted-keys", exists=True,
                                            dir_okay=False, help="A JSON list of {keyId, "
                                            "publicKey, validFrom, validUntil}.")):
    """Verify an export with no database: the file must be exactly the signed lines.
    Exit 1 with the reasons on anything else."""
    try:
        given = public_key(Path(key).read_text() if Path(key).is_file() else key) \
            if key else None
        keys = trusted_keys(trusted.read_text(encoding="utf-8")) if trusted else {}
    except ValueError as error:
        console.print(f"[red]unreadable key[/red] {error}")
        raise typer.Exit(2) from None
    if given is None and not keys:
        console.print("[red]refused[/red] give --public-key or --trusted-keys")
        raise typer.Exit(2)
    report = verify_export(file, given, key_id=key_id, trusted=keys)
    for problem in report.problems:
        console.print(f"[red]FAIL[/red] {problem}", markup=True, highlight=False)
    if not report.ok:
        raise typer.Exit(1)
    console.print(f"[green]OK[/green] {report.count} records, positions "
                  f"{report.manifest.get('firstPosition')} to "
                  f"{report.manifest.get('lastPosition')}, key {report.manifest['keyId']}")


def show_public_key() -> None:
    """Print the current signing key's id and public key (hex and PEM)."""
    with services() as built:
        signer = built.audit_signer
    pem = signer.public.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    console.print(f"key id: {signer.key_id}\nhex: {public_hex(signer.public)}")
    typer.echo(pem.decode(), nl=False)
