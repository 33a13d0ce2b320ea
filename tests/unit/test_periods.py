"""Periods: UTC days, ISO weeks from Monday and calendar months, and their edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.kernel.errors import InvalidInput
from domain.kernel.periods import Period

UTC = timezone.utc


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("text, kind, start, end", [
    ("2026-01-15", "day", at(2026, 1, 15), at(2026, 1, 16)),
    ("2026-W03", "week", at(2026, 1, 12), at(2026, 1, 19)),
    ("2026-01", "month", at(2026, 1, 1), at(2026, 2, 1)),
])
def test_each_form_parses_to_its_kind_start_and_exclusive_end(text, kind, start, end):
    period = Period.parse(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert str(period) == text
    assert period.start.tzinfo is UTC and period.end.tzinfo is UTC


@pytest.mark.parametrize("month, days", [
    ("2026-01", 31), ("2026-02", 28), ("2026-04", 30), ("2026-12", 31),
    ("2024-02", 29), ("2000-02", 29), ("1900-02", 28), ("2100-02", 28),
])
def test_month_lengths_follow_the_calendar_and_leap_years(month, days):
    period = Period.parse(month)
    assert period.end - period.start == timedelta(days=days)


def test_a_31st_steps_into_february_without_overflow():
    january = Period.containing("month", at(2026, 1, 31, 23, 59))
    assert str(january) == "2026-01"
    assert str(january.next()) == "2026-02"
    assert str(january.next().next()) == "2026-03"
    assert str(Period.parse("2026-03").previous()) == "2026-02"
    assert str(Period.parse("2024-03-01").previous()) == "2024-02-29"


def test_december_and_january_cross_the_year():
    assert str(Period.parse("2025-12").next()) == "2026-01"
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert str(Period.parse("2025-12-31").next()) == "2026-01-01"


@pytest.mark.parametrize("week, monday", [
    ("2020-W53", date(2020, 12, 28)),   # a 53-week year
    ("2026-W53", date(2026, 12, 28)),
    ("2025-W01", date(2024, 12, 30)),   # week 1 starts in the previous year
    ("2027-W01", date(2027, 1, 4)),     # ... or later than January 1st
])
def test_iso_weeks_start_monday_even_across_year_ends(week, monday):
    period = Period.parse(week)
    assert period.first_day == monday
    assert period.start == at(monday.year, monday.month, monday.day)
    assert str(period) == week


def test_week_53_is_followed_by_week_1_of_the_next_iso_year():
    assert str(Period.parse("2020-W53").next()) == "2021-W01"
    assert str(Period.parse("2021-W01").previous()) == "2020-W53"
    assert str(Period.parse("2025-W52").next()) == "2026-W01"


def test_days_at_the_year_end_belong_to_the_iso_week_of_their_monday():
    assert str(Period.containing("week", at(2024, 12, 31, 12))) == "2025-W01"
    assert str(Period.containing("week", at(2021, 1, 3, 23, 59))) == "2020-W53"


def test_week_boundaries_are_monday_midnight_utc():
    sunday_night = at(2026, 1, 18, 23, 59, 59, 999999)
    monday = at(2026, 1, 19)
    assert str(Period.containing("week", sunday_night)) == "2026-W03"
    assert str(Period.containing("week", monday)) == "2026-W04"
    week = Period.parse("2026-W03")
    assert not week.ended(sunday_night)
    assert week.ended(monday)


def test_containing_takes_the_utc_date_of_an_offset_instant():
    # 23:30 on Sunday in New York is Monday 04:30 UTC.
    new_york = timezone(timedelta(hours=-5))
    instant = datetime(2026, 1, 18, 23, 30, tzinfo=new_york)
    assert str(Period.containing("day", instant)) == "2026-01-19"
    assert str(Period.containing("week", instant)) == "2026-W04"


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        Period.containing("day", datetime(2026, 1, 15))
    with pytest.raises(ValueError):
        Period.parse("2026-01-15").ended(datetime(2026, 1, 16))


def test_a_period_ends_exactly_at_its_exclusive_end():
    day = Period.parse("2026-01-15")
    assert not day.ended(at(2026, 1, 15, 23, 59, 59, 999999))
    assert day.ended(at(2026, 1, 16))


def test_between_lists_the_periods_that_ended_in_the_window_oldest_first():
    now = at(2026, 1, 15, 12)
    days = Period.between("day", at(2026, 1, 12), now)
    assert [str(p) for p in days] == ["2026-01-12", "2026-01-13", "2026-01-14"]
    weeks = Period.between("week", at(2025, 12, 22), now)  # W51 ends then
    assert [str(p) for p in weeks] == ["2025-W52", "2026-W01", "2026-W02"]
    months = Period.between("month", at(2025, 11, 1), now)
    assert [str(p) for p in months] == ["2025-11", "2025-12"]
    assert Period.between("day", now, now) == []


def test_between_counts_a_period_ending_exactly_at_now_and_not_at_after():
    days = Period.between("day", at(2026, 1, 14), at(2026, 1, 16))
    assert [str(p) for p in days] == ["2026-01-14", "2026-01-15"]


@pytest.mark.parametrize("text", [
    "2026-02-30", "2026-13", "2026-00", "2026-W54", "2026-W00", "2025-W53", "2026-1-5",
    "2026-w03", " 2026-01", "2026/01/15", "", "yesterday", "２０２６-01",
])
def test_malformed_or_impossible_periods_are_invalid_input(text):
    with pytest.raises(InvalidInput) as refused:
        Period.parse(text)
    assert refused.value.field == "period"


def test_periods_are_values():
    assert Period.parse("2026-01-15") == Period.containing("day", at(2026, 1, 15, 8))
    assert len({Period.parse("2026-W03"), Period.parse("2026-W03")}) == 1
    assert Period.parse("2026-01-14") < Period.parse("2026-01-15")
