"""Audited actions: the operators' actions the adjustment log lists, one describer each.

A describer receives the event and its aggregate just before and just after
it (rebuilt by the repository from the aggregate's own events, so no figure
is recomputed here) and returns an `Action`: who, what, the values before
and after, and the reason. `when` picks the operators' events out of a
class that has others too (a credit with another tag, a VIP level reached
by XP); it sees only the event, so other events cost nothing. Adding an
approved action is one registration in this module (see the cashier's
withdrawal decisions below).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.kernel.fx import FxRates
from domain.betting.games import Game
from domain.jobs.model import JobRun
from domain.players.model import Player
from domain.audit.replay_run import ReplayRun
from domain.cashier.treasury.funding import HotWalletFunding
from domain.wallet.model import Wallet
from domain.cashier.withdrawals.model import Withdrawal


@dataclass(frozen=True)
class Action:
    kind: str
    actor: str
    subject: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str = ""
    player_id: str | None = None
    currency: str | None = None


Describer = Callable[[Any, Any, Any], Action]


@dataclass(frozen=True)
class Registration:
    describe: Describer
    when: Callable[[Any], bool]


DESCRIBERS: dict[type, Registration] = {}


def audited(*event_classes: type, when: Callable[[Any], bool] = lambda event: True,
            ) -> Callable[[Describer], Describer]:
    """Register a describer for these event classes (exact classes, not subclasses)."""

    def register(describer: Describer) -> Describer:
        for event_class in event_classes:
            DESCRIBERS[event_class] = Registration(describer, when)
        return describer

    return register


@audited(Wallet.Credited, Wallet.Debited, when=lambda event: event.tag == "ADJUSTMENT")
def adjustment(event: Any, before: Any, after: Any) -> Action:
    balance = event.balance
    return Action("ADJUSTMENT", event.actor, balance, {balance: getattr(before, balance)},
                  {balance: getattr(after, balance)}, event.memo, event.player_id,
                  event.currency)


@audited(FxRates.RatesSet)
def fx_rates(event: Any, before: Any, after: Any) -> Action:
    """A rate never set before shows as null (the configured rate was in force)."""
    return Action("FX_RATES", event.actor, "fx-rates",
                  {c: before.rates.get(c) for c in sorted(event.rates)},
                  {c: after.rates[c] for c in sorted(event.rates)})


@audited(Game.Configured, Game.Reconfigured)
def game(event: Any, before: Any, after: Any) -> Action:
    return Action("GAME", event.actor, f"game {after.game_id}",
                  game_settings(before) if before else {}, game_settings(after))


@audited(Player.LimitsSet)
def limits(event: Any, before: Any, after: Any) -> Action:
    return Action("PLAYER_LIMITS", event.actor, "limits", player_limits(before),
                  player_limits(after), event.reason, after.player_id)


@audited(Player.LevelChanged, when=lambda event: event.cause == "MANUAL")
def vip_level(event: Any, before: Any, after: Any) -> Action:
    """A manual change; its note is "<actor>: <reason>" (domain/players/model.py)."""
    actor, _, reason = event.note.partition(": ")
    return Action("VIP_LEVEL", actor, "vip level", {"level": event.previous},
                  {"level": event.level}, reason, after.player_id)


@audited(JobRun.Started, when=lambda event: event.trigger == "manual")
def manual_job_run(event: Any, before: Any, after: Any) -> Action:
    """A scheduled job run by hand (`POST /v1/admin/jobs/{job}/run`, `jobs run`)."""
    return Action("JOB_RUN", event.actor, f"job {event.name} {event.period}",
                  {"attempts": before.attempts, "outcome": before.outcome},
                  {"attempts": after.attempts, "outcome": "running"})


@audited(ReplayRun.Requested, ReplayRun.Finished)
def replay_run(event: Any, before: Any, after: Any) -> Action:
    """A verified replay asked for over HTTP, and its result (docs/audit.md)."""
    return Action("REPLAY", after.actor, f"replay {after.request_id}",
                  replay_figures(before) if before else {}, replay_figures(after))


@audited(Withdrawal.Approved, Withdrawal.Rejected, Withdrawal.Retried,
         Withdrawal.Cancelled)
def withdrawal_decided(event: Any, before: Any, after: Any) -> Action:
    """Finance's four-eyes decisions and operators' resolution of failed sends."""
    return Action("WITHDRAWAL_" + type(event).__name__.upper(), event.actor,
                  f"withdrawal {after.id}", withdrawal_figures(before),
                  withdrawal_figures(after), event.reason, after.player_id,
                  after.currency)


@audited(HotWalletFunding.Funded)
def hot_wallet_funding(event: Any, before: Any, after: Any) -> Action:
    """House money finance says it sent to the hot wallet (the books then expect it)."""
    return Action("HOT_WALLET_FUNDING", event.actor, f"hot wallet {after.currency}",
                  {}, {"amount": after.amount, "txHash": after.tx_hash}, event.reason,
                  currency=after.currency)


def withdrawal_figures(withdrawal: Any) -> dict[str, Any]:
    return {"status": withdrawal.status, "amount": withdrawal.amount,
            "approvals": list(withdrawal.approvals)}


def replay_figures(run: Any) -> dict[str, Any]:
    return {"until": run.until, "verdict": run.verdict, "position": run.position,
            "differences": run.differences}


def game_settings(game: Any) -> dict[str, Any]:
    return {"rtp": game.rtp, "category": game.category, "provider": game.provider,
            "houseGame": game.house_game}


def player_limits(player: Any) -> dict[str, Any]:
    return {"selfExcludedUntil": player.self_excluded_until,
            "dailyLossLimits": dict(sorted(player.daily_loss_limits.items()))}
