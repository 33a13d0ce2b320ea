"""What a verified replay found: a verdict, each view's outcome, the differences.

Verdicts: `equal` (every view compared equal), `different` (at least one
row differs), `incomplete` (a live view could not be brought to the log's
position, so it was not compared; nothing differed elsewhere), `rebuilt`
(a replay `until` a time: built, compared with nothing). A view that could
not be compared is `behind` (its live copy did not reach the log's position,
e.g. its follower stopped on an error) or `failed` (rebuilding it from the
log raised: the error is in `detail`); either makes the verdict `incomplete`
unless rows differ elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Difference:
    view: str
    table: str
    key: dict[str, Any]
    live: Any  # the live row ({column: value}), None if only rebuilt
    rebuilt: Any  # the rebuilt row, None if only live


@dataclass(frozen=True)
class ViewResult:
    name: str
    position: int
    status: str  # equal | different | behind | failed | rebuilt
    rows: dict[str, int]  # rebuilt rows per table
    detail: str = ""


@dataclass(frozen=True)
class ReplayReport:
    until: datetime | None
    position: int  # the log position the copies were built to
    verdict: str
    views: list[ViewResult]
    differences: int  # how many keys differ in all
    listed: list[Difference]  # the first of them
    seconds: float  # float-ok: elapsed wall time, for rates
    scratch: str | None  # the kept scratch schema or file, if kept

    @classmethod
    def of(cls, *, results: list[ViewResult], differences: int, **rest: Any) -> ReplayReport:
        return cls(verdict=verdict_of(rest["until"], results, differences), views=results,
                   differences=differences, **rest)

    @property
    def equal(self) -> bool:
        return self.verdict == "equal"

    def summary(self, listed: int = 20) -> dict[str, Any]:
        """The report in JSON's own types, with at most `listed` differences."""
        return json.loads(json.dumps({
            "until": self.until, "position": self.position, "verdict": self.verdict,
            "views": [asdict(v) for v in self.views], "differences": self.differences,
            "listed": [asdict(d) for d in self.listed[:listed]],
        }, default=plain))


def verdict_of(until: datetime | None, results: list[ViewResult], differences: int) -> str:
    if differences:
        return "different"
    if any(r.status in ("behind", "failed") for r in results):
        return "incomplete"
    return "rebuilt" if until is not None else "equal"


def plain(value: Any) -> str:
    """A value JSON lacks (Decimal, time) as a string: times in ISO-8601."""
    return value.isoformat() if isinstance(value, datetime) else str(value)
