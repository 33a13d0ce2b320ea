"""Helpers of the audit chain tests: quick bulk events, store corruption, exports."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing.sqlite import SQLiteApplicationRecorder

from api.bootstrap import Services
from domain.audit.export_verify import Report, verify_export
from domain.wallet.model import Wallet
from projections.audit.export import Selection, export


def bulk_credits(services: Services, player: str, count: int, batch: int = 500) -> None:
    """`count` DEPOSIT credits of 0.01 USDT, saved `batch` events per transaction.

    Saved directly (not through commands) only to make many events quickly.
    """
    ledger = services.ledger
    wallet = ledger.wallet(player, "USDT") or Wallet(player_id=player, currency="USDT",
                                                     request_id="bulk", reference="")
    for n in range(count):
        wallet.credit(Decimal("0.01"), balance="cash", tag="DEPOSIT",
                      request_id=f"bulk-{n}", reference=f"tx:{n}")
        if len(wallet.pending_events) >= batch:
            ledger.save(wallet)
    ledger.save(wallet)


def corrupt(services: Services, position: int, old: bytes, new: bytes) -> None:
    """Change a stored event's state bytes in place, as an intruder with SQL access."""
    recorder: Any = services.ledger.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        table, key = recorder.events_table_name, "rowid"
        update = f"UPDATE {table} SET state = CAST(REPLACE(state, ?, ?) AS BLOB) WHERE {key} = ?"
    else:
        table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
        update = (f"UPDATE {table} SET state = overlay(state placing %s from "
                  f"position(%s in state)) WHERE notification_id = %s")
    with recorder.datastore.transaction(commit=True) as cursor:
        if isinstance(recorder, SQLiteApplicationRecorder):
            cursor.execute(update, (old, new, position))
        else:
            cursor.execute(update, (new, old, position))


def export_to(services: Services, path: Path, selection: Selection = Selection(),
              file_format: str = "jsonl", actor: str = "reg-1",
              format_version: int = 2) -> Path:
    _, chunks = export(services.ledger, services.projections, services.audit_signer,
                       selection, file_format, actor, "regulator", format_version)
    with path.open("w", encoding="utf-8", newline="") as file:
        for chunk in chunks:
            file.write(chunk)
    return path


def verified(services: Services, path: Path) -> Report:
    return verify_export(path, services.audit_signer.public)
