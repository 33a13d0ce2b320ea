"""The AML screen of a withdrawal destination: an interface and a rules-based default.

A real provider (Chainalysis, TRM, ...) plugs in behind `AmlScreen`; the
default scores from configuration: an address on the deny-list scores 10, an
address with a configured score gets it, any other scores 0. The withdrawal
refuses a score above the configured maximum (7, seed 004). The screen runs
before the command (it may call out), and its score is recorded on the request.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

DENIED = 10


@dataclass(frozen=True)
class AmlResult:
    score: int
    reason: str


class AmlScreen(Protocol):
    def screen(self, address: str, currency: str) -> AmlResult:
        """The destination's risk score, 0 (clean) to 10 (sanctioned)."""
        ...


class RulesAml:
    """Deny-list and per-address scores; addresses compared case-insensitively."""

    def __init__(self, deny_list: Collection[str] = (),
                 scores: Mapping[str, int] | None = None):
        self.deny_list = {a.lower() for a in deny_list}
        self.scores = {a.lower(): s for a, s in (scores or {}).items()}

    def screen(self, address: str, currency: str) -> AmlResult:
        key = address.lower()
        if key in self.deny_list:
            return AmlResult(DENIED, "on the deny-list")
        if key in self.scores:
            return AmlResult(self.scores[key], "configured risk score")
        return AmlResult(0, "no known risk")
