"""Events are stamped by the ledger's clock, so tests can place them in time."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.kernel.clock import Clock
from domain.commanding.request import Request
from domain.wallet.model import Wallet


def test_every_event_takes_its_time_from_the_frozen_clock(frozen_clock):
    wallet = Wallet(player_id="p1", currency="BTC", request_id="r0", reference="")
    frozen_clock.advance(timedelta(days=1))
    wallet.credit(Decimal("1"), balance="cash", tag="DEPOSIT", request_id="r1",
                  reference="tx")
    record = Request(kind="test", request_id="r1", fingerprint="f", result={})
    opened, credited = wallet.collect_events()
    assert opened.timestamp == datetime(2026, 1, 15, 12, tzinfo=timezone.utc)
    assert credited.timestamp == datetime(2026, 1, 16, 12, tzinfo=timezone.utc)
    assert record.collect_events()[0].timestamp == credited.timestamp


def test_a_clock_refuses_naive_times_and_resumes_real_time():
    clock = Clock()
    with pytest.raises(ValueError):
        clock.freeze(datetime(2026, 1, 1))
    clock.freeze(datetime(2000, 1, 1, tzinfo=timezone.utc))
    clock.resume()
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)
