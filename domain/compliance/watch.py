"""Abuse signals: what a player's (or a provider's) recent settlements show.

An `AbuseWatch` per player, and one per provider, keep a short
memory of settled bets (plain lists, bounded) and raise a signal, as an
event naming the rule and the bets in evidence, when a pattern appears:

- OPPOSITE_BETS: in one round, a WIN and a LOSS whose results nearly cancel
  (net within a tenth of the stakes): a hedge that only turns over wagering;
- MIN_STAKE_RUN: `min_stake_run` settled bets in a row at the configured
  minimum stake while a bonus is open;
- WEIGHT_HOP: a stake moved to a game whose wagering weight is at most
  `weight_drop` times the last one's, while a bonus is open;
- VOID_BURST: `void_burst` VOIDs or rollbacks within `void_window`, for one
  player or one provider.

The rules are fed by domain/compliance/observe.py, run by a reaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.compliance.rules import SignalRules
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id

ROUNDS_KEPT = 50
HEDGE = Decimal("0.1")


class AbuseWatch(LedgerAggregate):
    """One player's watch (`player_id`), or one provider's (`provider`, VOIDs only)."""

    @staticmethod
    def create_id(player_id: str, provider: str, **_: Any) -> UUID:
        return watch_key(player_id, provider)

    @event("Opened")
    def __init__(self, player_id: str, provider: str):
        self.subject = f"player:{player_id}" if player_id else f"provider:{provider}"
        self.voids: list[list[str]] = []
        self.signals: list[str] = []
        self.rounds: dict[str, list[list[Any]]] = {}
        self.run: list[str] = []
        self.last: list[Any] | None = None  # [bet id, weight] of the last play

    def void_seen(self, bet_id: str, at: datetime, rules: SignalRules) -> str | None:
        """A VOID or a rollback: the signal it completes, if any."""
        recent = [v for v in self.voids if at - datetime.fromisoformat(v[1])
                  < rules.void_window] + [[bet_id, at.isoformat()]]
        if len(recent) < rules.void_burst:
            self._voids_kept(recent)
            return None
        self._voids_kept([])
        return self.raise_signal("VOID_BURST", [v[0] for v in recent[-rules.void_burst:]],
                                 f"{rules.void_burst} VOIDs or rollbacks within "
                                 f"{rules.void_window}")

    def raise_signal(self, rule: str, evidence: list[str], detail: str) -> str:
        signal_id = str(natural_id("signal", f"{self.subject}|{rule}|{'|'.join(evidence)}"))
        if signal_id not in self.signals:
            self._signal_raised(signal_id, self.subject, rule, evidence, detail)
        return signal_id

    def play_seen(self, bet: Any, weight: Decimal, bonus_open: bool,
                  rules: SignalRules) -> list[str]:
        """A WIN or LOSS settled: the signals it completes (their ids)."""
        raised = []
        if rules.opposite_bets and (found := self._hedge(bet)):
            raised.append(self.raise_signal("OPPOSITE_BETS", found, "a WIN and a LOSS in "
                                            f"round {bet.round_id} nearly cancel"))
        minimum = rules.min_stake.get(bet.currency)
        run = [*self.run, bet.hold_id] if minimum is not None and bet.stake <= minimum else []
        if bonus_open and len(run) >= rules.min_stake_run:
            raised.append(self.raise_signal("MIN_STAKE_RUN", run, f"{len(run)} bets in a "
                                            f"row at the minimum stake {minimum}"))
            run = []
        previous = self.last
        if bonus_open and previous and weight <= rules.weight_drop * Decimal(previous[1]):
            raised.append(self.raise_signal("WEIGHT_HOP", [previous[0], bet.hold_id],
                                            f"stake moved from weight {previous[1]} "
                                            f"to {weight} while a bonus is open"))
        self._play_kept(bet.round_id, [bet.hold_id, bet.outcome, str(bet.net_loss),
                                       str(bet.stake)], run, [bet.hold_id, str(weight)])
        return raised

    def _hedge(self, bet: Any) -> list[str] | None:
        plays = [*self.rounds.get(bet.round_id, []),
                 [bet.hold_id, bet.outcome, str(bet.net_loss), str(bet.stake)]]
        outcomes = {p[1] for p in plays}
        if not {"WIN", "LOSS"} <= outcomes:
            return None
        net = abs(sum(Decimal(p[2]) for p in plays))
        staked = sum(Decimal(p[3]) for p in plays)
        return [p[0] for p in plays] if net <= staked * HEDGE else None

    @event("PlayKept")
    def _play_kept(self, round_id: str, play: list[Any], run: list[str],
                   last: list[Any]) -> None:
        self.rounds.setdefault(round_id, []).append(play)
        while len(self.rounds) > ROUNDS_KEPT:
            del self.rounds[next(iter(self.rounds))]
        self.run = run
        self.last = last


    @event("VoidsKept")
    def _voids_kept(self, voids: list[list[str]]) -> None:
        self.voids = voids

    @event("SignalRaised")
    def _signal_raised(self, signal_id: str, subject: str, rule: str,
                       evidence: list[str], detail: str) -> None:
        self.signals.append(signal_id)


def watch_key(player_id: str, provider: str = "") -> UUID:
    return natural_id("abuse-watch", f"{player_id}|{provider}")
