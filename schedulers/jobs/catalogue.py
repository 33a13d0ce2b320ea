"""Jobs: a name, the kind of period it runs for, and what it does for one period.

An action takes a `Period` and returns a small JSON-able summary (a dict). It
must be idempotent for its period (the feature guarantees it, typically with a
requestId or an aggregate id derived from the period), because a period can be
run again: by catch-up, by a retry after a failure, or by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from domain.kernel.errors import NotFound
from domain.kernel.periods import KINDS, Period

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

Action = Callable[[Period], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    name: str
    kind: str
    action: Action
    description: str = ""

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise ValueError(f"job name {self.name!r}: lower-case letters, digits, "
                             "'.', '_' or '-', at most 64")
        if self.kind not in KINDS:
            raise ValueError(f"job {self.name}: kind must be one of {', '.join(KINDS)}")


class JobCatalogue:
    """The jobs by name, in the order they were added (which is the order they run)."""

    def __init__(self, jobs: Iterable[Job] = ()):
        self._jobs: dict[str, Job] = {}
        self.extend(jobs)

    def add(self, job: Job) -> Job:
        if job.name in self._jobs:
            raise ValueError(f"a job named {job.name!r} is already registered")
        self._jobs[job.name] = job
        return job

    def extend(self, jobs: Iterable[Job]) -> None:
        for job in jobs:
            self.add(job)

    def get(self, name: str) -> Job:
        try:
            return self._jobs[name]
        except KeyError:
            known = ", ".join(self._jobs) or "none"
            raise NotFound(f"no job {name!r} (known: {known})", field="job") from None

    def of_kind(self, kind: str) -> list[Job]:
        return [job for job in self._jobs.values() if job.kind == kind]

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)

    def __contains__(self, name: object) -> bool:
        return name in self._jobs
