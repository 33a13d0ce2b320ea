"""An event as a regulator reads it (export format 2): public name, version, plain
payload and its envelope, the same on every rebuild and on either backend.

`time` is the event's time **on the log**: its own stamp, or the time of the
event before it in the log if that is later. Writers deciding at the same moment
(several processes, or threads with group commit off) may save in the other
order by a few milliseconds; the log's time never goes backwards, so "the log
as of T" is a prefix of it: every position whose log time is at or before T,
which is the longest prefix whose events were all stamped at or before T
(docs/audit.md, "The log as of an instant").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEvent

from domain.kernel.public_events import PublicEvent, iso_utc, own_fields, plain, public_event


def public_form(event: DomainEvent) -> PublicEvent:
    """The event's public name, version and payload. An event class that has no
    public name (only ever a test's) is named `unlisted.<Class.Event>`."""
    try:
        return public_event(event)
    except KeyError:
        fields = {f: getattr(event, f, None) for f in own_fields(type(event))}
        return PublicEvent("unlisted." + type(event).__qualname__,
                           getattr(type(event), "class_version", 1), plain(fields))


def later(log_time: datetime | None, stamped: datetime) -> datetime:
    """The log time of an event stamped `stamped` after one at `log_time`."""
    return stamped if log_time is None or stamped > log_time else log_time


def public_record(position: int, log_time: datetime, event: DomainEvent,
                  player_id: str | None) -> dict[str, Any]:
    """The hashed fields of one position's public record (hash_chain.PUBLIC_FIELDS)."""
    form = public_form(event)
    return {"position": position, "time": iso_utc(log_time), "name": form.name,
            "version": form.version, "playerId": player_id,
            "aggregateId": str(event.originator_id),
            "aggregateVersion": event.originator_version, "payload": form.payload}
