"""A player's compliance standing: KYC status, limit profile, country, time-out,
responsible-gaming limits (with increases pending a cooling-off), review holds.

The state sits on the Player record (domain/players/model.py), which every bet
already loads; these functions are its rules. A limit is keyed
`kind:period:currency` (`loss:week:USDT`). Lowering or adding a limit takes
effect at once; raising or removing one waits out the cooling-off and is
recorded as pending until then, when it is in force without another event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.compliance.rules import HOLD_SCOPES, KYC_STATUSES, RG_KINDS, RG_PERIODS
from domain.kernel.errors import InvalidInput


def limit_key(kind: str, period: str, currency: str) -> str:
    if kind not in RG_KINDS:
        raise InvalidInput(f"kind: must be one of {RG_KINDS}", field="kind")
    if period not in RG_PERIODS:
        raise InvalidInput(f"period: must be one of {RG_PERIODS}", field="period")
    return f"{kind}:{period}:{currency}"


def in_force(player: Any, key: str, now: datetime) -> Decimal | None:
    """The limit that binds at `now`: a pending change once its time has come."""
    waiting = player.rg_pending.get(key)
    if waiting is not None and now >= waiting[1]:
        return waiting[0]
    return player.rg_limits.get(key)


def is_tighter(current: Decimal | None, amount: Decimal | None) -> bool:
    if amount is None:
        return current is None
    return current is None or amount <= current


def set_limit(player: Any, key: str, amount: Decimal | None, *, now: datetime,
              cooling_off: timedelta, actor: str) -> None:
    """Record a limit: at once if it tightens, after the cooling-off if it loosens."""
    if amount is not None and amount < 0:
        raise InvalidInput("amount: must not be negative", field="amount")
    current = in_force(player, key, now)
    waiting = player.rg_pending.get(key)
    if amount == current and (waiting is None or now >= waiting[1]):
        return
    if waiting is not None and now < waiting[1] and waiting[0] == amount:
        return  # the same increase asked again: it keeps its time
    at = now if is_tighter(current, amount) else now + cooling_off
    player._rg_limit_set(key, amount, at, actor)


def apply_limit(player: Any, key: str, amount: Decimal | None, effective_at: datetime,
                at: datetime) -> None:
    """The RgLimitSet event's effect: fold a matured change in, then this one."""
    for name, (value, due) in list(player.rg_pending.items()):
        if at >= due:
            put(player.rg_limits, name, value)
            del player.rg_pending[name]
    if effective_at <= at:
        put(player.rg_limits, key, amount)
        player.rg_pending.pop(key, None)
    else:
        player.rg_pending[key] = [amount, effective_at]


def put(limits: dict[str, Decimal], key: str, amount: Decimal | None) -> None:
    if amount is None:
        limits.pop(key, None)
    else:
        limits[key] = amount


def take_time_out(player: Any, length: timedelta, allowed: tuple[timedelta, ...], *,
                  now: datetime, actor: str) -> None:
    """A break from play; it can be lengthened, never shortened."""
    if length not in allowed:
        raise InvalidInput("hours: a time-out lasts one of "
                           f"{[int(a.total_seconds() // 3600) for a in allowed]} hours",
                           field="hours")
    until = now + length
    if player.timeout_until is None or until > player.timeout_until:
        player._time_out_taken(until, actor)


def set_kyc(player: Any, status: str, *, evidence: str, source: str,
            provider_event_id: str = "") -> None:
    if status not in KYC_STATUSES:
        raise InvalidInput(f"status: must be one of {KYC_STATUSES}", field="status")
    if not evidence.strip():
        raise InvalidInput("evidence: a reference to the evidence is required",
                           field="evidence")
    if (status, evidence) != (player.kyc, player.kyc_evidence):
        player._kyc_status_set(status, evidence, source, provider_event_id)


def hold_for_review(player: Any, scope: str, signal: str) -> None:
    if scope not in HOLD_SCOPES:
        raise InvalidInput(f"scope: must be one of {HOLD_SCOPES}", field="scope")
    held = player.review_holds.get(scope, [])
    if signal not in held:
        player._review_hold_set(scope, [*held, signal], "signals")


def lift_hold(player: Any, scope: str, actor: str) -> None:
    if scope not in HOLD_SCOPES:
        raise InvalidInput(f"scope: must be one of {HOLD_SCOPES}", field="scope")
    if player.review_holds.get(scope):
        player._review_hold_set(scope, [], actor)


def count(player: Any, kind: str, currency: str, amount: Decimal, reference: str) -> None:
    """A deposit credited or a withdrawal requested, toward the period limits."""
    player._cashier_counted(kind, currency, amount, reference)
