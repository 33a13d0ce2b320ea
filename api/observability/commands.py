"""Timing and counting every command where the ledger executes it.

`ObservedCommands` wraps the ledger's command runner (single or group
commit): each command's latency goes to `casino_command_duration_seconds`
by kind and outcome, and the facts only the answer carries are counted: bets
accepted or rejected (with the reason, responsible-gaming blocks included),
settlements by outcome, refunds and rollbacks, and the payout time of a
confirmed withdrawal. A replayed request counts its latency, never its money.
"""

from __future__ import annotations

import re
from time import perf_counter
from typing import Any

from api.observability.instruments import Metrics
from domain.betting.commands import PlaceBet, RefundBet, RollbackBet, SettleRound
from domain.cashier.withdrawals.model import CONFIRMED
from domain.cashier.withdrawals.send import RecordMined
from domain.commanding.runner import Command, Outcome
from domain.kernel.clock import clock
from domain.kernel.errors import DomainError
from domain.players.model import BetRejected

# The kinds the issue names; any other command is its class name in snake case.
KINDS = {"PlaceBet": "place", "SettleRound": "settle", "RefundBet": "refund",
         "RollbackBet": "rollback", "ClaimRakeback": "claim",
         "RequestWithdrawal": "withdrawal_request", "Adjust": "adjustment"}


def kind_of(command: Command) -> str:
    name = type(command).__name__
    return KINDS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class ObservedCommands:
    """The runner's `execute`, timed and counted; everything else passes through."""

    def __init__(self, inner: Any, metrics: Metrics, repository: Any):
        self._inner = inner
        self._metrics = metrics
        self._repository = repository

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def execute(self, command: Command) -> Outcome:
        started, outcome = perf_counter(), "error"
        try:
            result = self._inner.execute(command)
            outcome = "replayed" if result.replayed else "ok"
            if not result.replayed:
                self._count(command, result.result)
            return result
        except BetRejected as error:
            outcome = "rejected"
            self._rejected(command, error.reason)
            raise
        except DomainError as error:
            outcome = error.code
            raise
        finally:
            self._metrics.command_seconds.labels(kind_of(command), outcome).observe(
                perf_counter() - started)

    def _rejected(self, command: Command, reason: str) -> None:
        provider = getattr(command, "provider", "")
        self._metrics.bets.labels(provider, "rejected").inc()
        self._metrics.rejections.labels(provider, reason).inc()

    def _count(self, command: Command, result: Any) -> None:
        m = self._metrics
        if isinstance(command, PlaceBet):
            m.bets.labels(command.provider, "accepted").inc()
        elif isinstance(command, SettleRound):
            for bet in result.bets:
                m.settlements.labels(command.provider, bet.outcome).inc()
        elif isinstance(command, (RefundBet, RollbackBet)):
            m.reversals.labels(command.provider, command.action).inc()
        elif isinstance(command, RecordMined) and result.status == CONFIRMED:
            self._paid_out(command, result.currency)

    def _paid_out(self, command: RecordMined, currency: str) -> None:
        requested = self._repository.get(command.withdrawal_id).created_on
        self._metrics.payout_seconds.labels(currency).observe(
            max((clock.now() - requested).total_seconds(), 0.0))
