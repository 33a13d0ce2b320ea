"""Periods: a UTC day, an ISO week (from Monday 00:00 UTC) or a calendar month.

A period is written `2026-01-15` (day), `2026-W03` (ISO week) or `2026-01`
(month). It starts at 00:00 UTC of its first day and ends, exclusively, where
the next one starts; it has ended once `now >= end`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from domain.kernel.errors import InvalidInput

DAY, WEEK, MONTH = "day", "week", "month"
KINDS = (DAY, WEEK, MONTH)
FORMS = {DAY: re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"),
         WEEK: re.compile(r"([0-9]{4})-W([0-9]{2})"),
         MONTH: re.compile(r"([0-9]{4})-([0-9]{2})")}


@dataclass(frozen=True, order=True)
class Period:
    first_day: date
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(f"period kind must be one of {', '.join(KINDS)}",
                               field="period")
        if self.first_day != _first_day(self.kind, self.first_day):
            raise ValueError(f"{self.first_day} does not start a {self.kind}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026-01-15`, `2026-W03` or `2026-01`; anything else is InvalidInput."""
        for kind, form in FORMS.items():
            found = form.fullmatch(text)
            if found:
                try:
                    return cls(_parse(kind, *map(int, found.groups())), kind)
                except ValueError:
                    break
        raise InvalidInput(f"period: {text!r} is not a day (2026-01-15), an ISO week "
                           "(2026-W03) or a month (2026-01)", field="period")

    @classmethod
    def containing(cls, kind: str, instant: datetime) -> Period:
        """The period of `kind` that `instant` (aware) falls in, in UTC."""
        if kind not in KINDS:
            raise InvalidInput(f"period kind must be one of {', '.join(KINDS)}",
                               field="period")
        return cls(_first_day(kind, utc(instant).date()), kind)

    @classmethod
    def between(cls, kind: str, after: datetime, now: datetime) -> list[Period]:
        """The periods of `kind` that ended in (after, now], oldest first."""
        found: list[Period] = []
        period = cls.containing(kind, now).previous()
        while period.end > utc(after):
            found.append(period)
            period = period.previous()
        return found[::-1]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), timezone.utc)

    @property
    def end(self) -> datetime:
        """Where the next period starts (exclusive)."""
        return self.next().start

    def next(self) -> Period:
        if self.kind == MONTH:
            year, month = divmod(self.first_day.year * 12 + self.first_day.month, 12)
            return Period(date(year, month + 1, 1), MONTH)
        return Period(self.first_day + timedelta(days=7 if self.kind == WEEK else 1),
                      self.kind)

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def ended(self, now: datetime) -> bool:
        return utc(now) >= self.end

    def __str__(self) -> str:
        if self.kind == WEEK:
            year, week, _ = self.first_day.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return self.first_day.isoformat()[:10 if self.kind == DAY else 7]


def utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("periods take aware datetimes only")
    return instant.astimezone(timezone.utc)


def _first_day(kind: str, day: date) -> date:
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if kind == MONTH else day


def _parse(kind: str, year: int, number: int, day: int = 1) -> date:
    """The first day; ValueError for a day, week or month that does not exist."""
    if kind == WEEK:
        return date.fromisocalendar(year, number, 1)
    return date(year, number, day)


# Period keys: the same format as a Period's str, for keys kept on aggregates.
# Keys of one kind sort in time order, so "everything accrued up to period P"
# is a comparison of keys.

def period_key(kind: str, instant: datetime) -> str:
    """The key of the period of `kind` that `instant` falls in: str(Period.containing)."""
    return str(Period.containing(kind, instant))


def kind_of(key: str) -> str:
    """The kind of a period key by its shape, or ValueError if it is not one."""
    for kind, length, marker in ((DAY, 10, None), (WEEK, 8, "W"), (MONTH, 7, None)):
        if len(key) == length and (marker is None or key[5] == marker):
            return kind
    raise ValueError(f"{key!r} is not a period (2026-01-15, 2026-W03 or 2026-01)")


def is_period(kind: str, key: str) -> bool:
    """Whether `key` is shaped as a period key of `kind`."""
    try:
        return kind_of(key) == kind
    except ValueError:
        return False
