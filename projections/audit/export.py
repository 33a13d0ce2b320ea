"""Exports of the event log with their hash-chain fields and a signed manifest.

The selection (a time range, a player, event types) is answered from the
audit chain view, page by page, and each page's stored events are read with
one `select_notifications`, so memory stays flat whatever the size. The
export reaches up to the chain's head when it starts; it is recorded as an
event (who, what, when) before the first byte is sent. Format: domain/audit/export_format.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any

from eventsourcing.domain import Aggregate

from domain.audit.model import RecordExport
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.clock import clock
from domain.kernel.errors import InvalidInput
from domain.audit.export_format import ExportWriter, record, record_v2, stream
from domain.audit.public_record import public_record
from domain.kernel.public_events import catalogue, iso_utc
from domain.ledger import Ledger
from domain.audit.signing import Signer
from projections.audit.chain import AuditChainView
from projections.engine.runner import ProjectionRunner
from projections.engine.database import timestamp
from projections.brands.players import wanted as in_brand
from projections.engine.stored_events import stored_at

PAGE = 1000


class StoreTampered(Exception):
    """A chained event is no longer in the store: the export cannot be made whole."""


@dataclass(frozen=True)
class Selection:
    start: datetime | None = None
    end: datetime | None = None
    player_id: str | None = None
    types: tuple[str, ...] = ()
    brand: str | None = None  # only the events of this brand's players

    def __post_init__(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise InvalidInput("to: must be after from", field="to")
        if self.player_id is not None and not self.player_id.strip():
            raise InvalidInput("playerId: give a player id, or leave it out",
                               field="playerId")
        known, names = event_types(), public_type_names()
        for kind in self.types:  # a topic stored before a module moved keeps its name
            module, _, name = kind.rpartition(":")
            if kind in names:
                continue
            if name not in known or (module and kind not in known
                                     and not module.startswith("domain.")):
                raise InvalidInput(f"types: {kind!r} is not an event type (a public name "
                                   "such as wallet.credited, a topic such as "
                                   "domain.wallet.model:Wallet.Credited, or a name such "
                                   "as Wallet.Credited)", field="types")
        for moment, name in ((self.start, "from"), (self.end, "to")):
            if moment is not None and moment.utcoffset() is None:
                raise InvalidInput(f"{name}: give a time zone (e.g. Z)", field=name)

    def describe(self, file_format: str, version: int = 2) -> dict[str, Any]:
        """The selection as signed: format 2 names types by their public names (each
        asked type's), times in UTC with `Z`; format 1 as asked."""
        brand = {"brand": self.brand} if self.brand else {}
        if version == 1:
            return {"from": self.start and self.start.isoformat(),
                    "to": self.end and self.end.isoformat(), "playerId": self.player_id,
                    "types": list(self.types), "format": file_format, **brand}
        return {"from": self.start and iso_utc(self.start),
                "to": self.end and iso_utc(self.end), "playerId": self.player_id,
                "types": sorted({kind if kind in public_type_names()
                                 else public_names_of(kind) for kind in self.types}),
                "format": file_format, **brand}

    def wants(self, row: dict[str, Any]) -> bool:
        if self.player_id is not None and row["player_id"] != self.player_id:
            return False
        topic = row["topic"]
        kinds = [public_type_names().get(t, t) for t in self.types]
        return not kinds or any(topic == t or topic.endswith(":" + t) for t in kinds)


@cache
def public_type_names() -> dict[str, str]:
    """Each public name -> the `Aggregate.Event` name of its class."""
    return {name: cls.__qualname__ for cls, (name, _) in catalogue().items()}


def public_names_of(kind: str) -> str:
    """The public name of a topic or `Aggregate.Event` name."""
    qualname = kind.rpartition(":")[2]
    for cls, (name, _) in catalogue().items():
        if cls.__qualname__ == qualname:
            return name
    return "unlisted." + qualname


def event_types() -> set[str]:
    """Every event class's topic and `Aggregate.Event` name (what `types=` may name)."""
    found: set[str] = set()
    pending = [LedgerAggregate.Event, Aggregate.Event]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "." in cls.__qualname__ and "<" not in cls.__qualname__:
            found |= {cls.__qualname__, f"{cls.__module__}:{cls.__qualname__}"}
    return found


def export(ledger: Ledger, projections: ProjectionRunner, signer: Signer,
           selection: Selection, file_format: str, actor: str, role: str,
           format_version: int = 2) -> tuple[str, Iterator[str]]:
    """Record the export; its id and the file's text chunks (a lazy iterator).
    Format 2 (public records, the public chain) unless `format_version=1`."""
    writer = ExportWriter(file_format, format_version)
    projections.catch_up(["audit_chain", "player_brands"])
    chain: AuditChainView = projections.views["audit_chain"]  # type: ignore[assignment]
    heads = chain.heads()
    up_to = heads["position"]
    head_hash = heads["hash"] if format_version == 1 else heads["publicHash"]
    export_id = str(uuid.uuid4())
    described = selection.describe(file_format, format_version)
    ledger.execute(RecordExport(export_id=export_id, actor=actor, role=role,
                                selection=described, up_to=up_to, at=clock.now()))
    fields = {"exportId": export_id, "selection": described,
              "exportedAt": (iso_utc(clock.now()) if format_version == 2
                             else clock.now().isoformat()),
              "exportedBy": {"subject": actor, "role": role},
              "logHead": {"position": up_to, "hash": head_hash}}
    others = (projections.views["player_brands"].players(selection.brand)  # type: ignore[attr-defined]
              if selection.brand else set())
    records = selected(ledger, chain, selection, up_to, format_version, others)
    return export_id, stream(writer, records,
                             lambda w: w.manifest(fields, signer, head_hash))


def selected(ledger: Ledger, chain: AuditChainView, selection: Selection,
             up_to: int, version: int = 2, others: set[str] = frozenset(),
             ) -> Iterator[dict[str, Any]]:
    """The selected events in log order, each with its chain fields and `after`
    (with a brand, `others` is `PlayerBrandsView.players` of it)."""
    bounds = chain.positions_between(*(moment and moment.astimezone(timezone.utc)
                                       for moment in (selection.start, selection.end)))
    if bounds is None:
        return
    cursor, last, after = bounds[0] - 1, min(bounds[1], up_to), None
    while rows := chain.rows(cursor, last, PAGE, player_id=selection.player_id):
        wanted = [row for row in rows if selection.wants(row)
                  and in_brand(selection.brand, row["player_id"], others)]
        stored = stored_events(ledger, rows, wanted, sparse=selection.player_id is not None)
        for row in wanted:
            yield (exported(row, stored, after) if version == 1
                   else exported_v2(ledger, row, stored, after))
            after = row["position"]
        cursor = rows[-1]["position"]


def stored_events(ledger: Ledger, rows: list[dict[str, Any]], wanted: list[dict[str, Any]],
                  *, sparse: bool) -> dict[int, Any]:
    """The stored events of the wanted rows: by position when they are scattered
    (one player's), else the page's whole range in one read."""
    if sparse:
        return stored_at(ledger.recorder, [row["position"] for row in wanted])
    notes = ledger.recorder.select_notifications(
        start=rows[0]["position"], limit=len(rows), stop=rows[-1]["position"],
        inclusive_of_start=True)
    return {note.id: note for note in notes}


def exported(row: dict[str, Any], stored: dict[int, Any], after: int | None,
             ) -> dict[str, Any]:
    note = stored_note(row, stored)
    return record(row["position"], after, row["player_id"], str(note.originator_id),
                  note.originator_version, note.topic, note.state, row["prev_hash"],
                  row["hash"])


def exported_v2(ledger: Ledger, row: dict[str, Any], stored: dict[int, Any],
                after: int | None) -> dict[str, Any]:
    """Format 2: the stored event decoded to its public record, with the public
    chain's hashes (recorded when it was chained: a store altered since fails)."""
    event = ledger.mapper.to_domain_event(stored_note(row, stored))
    public = public_record(row["position"], timestamp(row["log_at"]), event,
                           row["player_id"])
    return record_v2(public, after, row["public_prev_hash"], row["public_hash"])


def stored_note(row: dict[str, Any], stored: dict[int, Any]) -> Any:
    note = stored.get(row["position"])
    if note is None:
        raise StoreTampered(f"the event at position {row['position']} is chained but "
                            "no longer in the store")
    return note
