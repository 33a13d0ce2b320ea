"""Time never goes backwards along the log (issue 13), on SQLite and PostgreSQL.

Writers that decide at the same moment may save in the other order than they
were stamped: threads with group commit off, or several processes. The audit
chain keeps each position's log time (its stamp, or the log time before it if
later), so format 2 exports carry times that never go backwards, and "the log
as of T" is one prefix, the longest whose events were all stamped at or before
T, for the balances as of T and for a time-range export alike."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from domain.kernel.clock import clock, parse_instant
from domain.wallet.commands import Adjust
from projections.audit.export import Selection
from projections.audit.history import balances_as_of, log_position_at
from tests.factories import adjust, caught_up, fresh_services, in_threads
from tests.integration.audit_helpers import export_to, verified
from tests.integration.test_audit_tampering import both_verdicts


def stamps(services) -> list[tuple[int, datetime]]:
    """Each stored event's position and its own stamp, in log order."""
    notes = services.ledger.recorder.select_notifications(start=None, limit=100000)
    return [(note.id, services.ledger.mapper.to_domain_event(note).timestamp)
            for note in notes]


def prefix_end(stamped: list[tuple[int, datetime]], at: datetime, *,
               strict: bool = False) -> int:
    """The last position of the longest prefix stamped at (or strictly) before `at`."""
    end = 0
    for position, moment in stamped:
        if moment > at or (strict and moment == at):
            break
        end = position
    return end


def exported(services, path, selection: Selection = Selection()) -> list[dict]:
    export_to(services, path, selection)
    assert verified(services, path).ok
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[:-2]]


def assert_one_log_time(services, tmp_path, instants: list[datetime]) -> None:
    """The export's times never go backwards, and the balances as of each instant
    and the export up to it end at the longest prefix stamped by then."""
    caught_up(services)
    stamped = stamps(services)
    records = exported(services, tmp_path / "all.jsonl")
    times = [parse_instant(r["time"]) for r in records]
    assert times == sorted(times), "a time went backwards along the export"
    assert all(t >= s for t, (_, s) in zip(times, stamped))  # never earlier than stamped
    for at in instants:
        end = prefix_end(stamped, at)
        assert log_position_at(services.projections, at) == end, at
        assert balances_as_of(services.ledger, services.projections, "p1",
                              at)["logPosition"] == end
        until = exported(services, tmp_path / "until.jsonl", Selection(end=at))
        assert [r["position"] for r in until] == [
            p for p, _ in stamped if p <= prefix_end(stamped, at, strict=True)], at


def test_an_event_saved_after_a_later_stamped_one_takes_the_later_log_time(
        services, frozen_clock, tmp_path):
    """A writer that decided at 12:00:01 saves after one that decided at 12:00:02 (as
    another process would): the log as of 12:00:01 ends before the 12:00:02 event,
    and the late event belongs to the log from 12:00:02 on, for every reader."""
    start = frozen_clock.now()
    adjust(services, "p1", "USDT", "1")
    frozen_clock.freeze(start + timedelta(seconds=2))
    adjust(services, "p2", "USDT", "2")
    frozen_clock.freeze(start + timedelta(seconds=1))  # decided earlier, saved later
    adjust(services, "p1", "USDT", "4")
    frozen_clock.freeze(start + timedelta(seconds=3))
    stamped = stamps(caught_up(services))
    assert [s for _, s in stamped] != sorted(s for _, s in stamped)  # out of order
    one = start + timedelta(seconds=1, milliseconds=500)
    [wallet] = balances_as_of(services.ledger, services.projections, "p1", one)["balances"]
    assert wallet["cash"] == Decimal("1")  # the late credit is not in the log as of 1.5s
    later = start + timedelta(seconds=2)
    [wallet] = balances_as_of(services.ledger, services.projections, "p1", later)["balances"]
    assert wallet["cash"] == Decimal("5")
    records = exported(services, tmp_path / "p1.jsonl", Selection(player_id="p1"))
    [late] = [r for r in records if Decimal(r["payload"].get("amount", 0)) == 4]
    assert late["time"] == "2026-01-15T12:00:02Z"  # its log time, not its stamp
    path = tmp_path / "range.csv"
    export_to(services, path, Selection(start=start + timedelta(seconds=2)), "csv")
    assert both_verdicts(path, services.audit_signer) == (True, True)
    last = frozen_clock.now()
    frozen_clock.advance(timedelta(seconds=1))  # the exports below come after
    assert_one_log_time(services, tmp_path, [start, one, later, last])


def test_threads_and_two_ledgers_with_group_commit_off_share_one_log_time(
        database_url, tmp_path):
    """Four threads over two ledgers on one database (as two processes), group
    commit off, real time: whatever order they save in, the log's time holds."""
    clock.resume()
    ledgers = [fresh_services(database_url, group_commit=0) for _ in range(2)]
    try:
        jobs = [(ledgers[n % 2], [Adjust(f"t{n}-{k}", f"p{n % 3 + 1}", "USDT",
                                         Decimal("1.5"), "cash", "load", "fin")
                                  for k in range(12)]) for n in range(4)]
        results = in_threads(jobs)
        assert not [r for r in results if isinstance(r, Exception)], results
        services = ledgers[0]
        stamped = stamps(caught_up(services))
        instants = sorted({s for _, s in stamped})
        picked = instants[:: max(1, len(instants) // 12)] + [instants[-1]]
        picked += [moment + timedelta(microseconds=1) for moment in picked[:4]]
        assert_one_log_time(services, tmp_path, [m.astimezone(timezone.utc)
                                                 for m in picked])
    finally:
        for built in ledgers:
            built.close()
