"""The cashback of one player, currency and period, from its figures (seed 000).

    net loss = bets - wins                     on the program's eligible games
    base     = net loss - bonuses received     (the switch bonuses_reduce_base)
             | bets                            (model gross_bet)
    amount   = base x percent / 100            rounded DOWN to the currency's precision
             capped by the tier's maximum; skipped below its minimum

Limits are in USD, converted at `usd_rate` (USD per unit) and rounded down
(a cap) or up (a minimum) to the currency's precision, so a converted limit
never pays more than the USD figure says. Every skip has a reason.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from domain.cashback.rules import CashbackProgram, CashbackTier
from domain.kernel.money import ZERO

HUNDRED = Decimal(100)


def limit_in(usd: Decimal, rate: Decimal, quantum: Decimal, rounding: str) -> Decimal:
    return (usd / rate).quantize(quantum, rounding=rounding)


def base_of(program: CashbackProgram, figures: dict[str, Any],
            ) -> tuple[Decimal, Decimal, str]:
    """(net loss, base, reason when there is nothing to refund)."""
    net_loss = figures["bets"] - figures["wins"]
    if program.model == "gross_bet":
        return net_loss, figures["bets"], "" if figures["bets"] > 0 else "no bets"
    if net_loss <= 0:
        return net_loss, ZERO, "no net loss"
    base = net_loss - (figures["bonuses"] if program.bonuses_reduce_base else ZERO)
    return net_loss, max(base, ZERO), "" if base > 0 else "losses covered by bonuses"


def calculate(program: CashbackProgram, tier: tuple[str, CashbackTier] | None,
              figures: dict[str, Any], quantum: Decimal, usd_rate: Decimal | None,
              ) -> dict[str, Any]:
    """Every figure of the calculation, the amount, and the reason if skipped."""
    net_loss, base, reason = base_of(program, figures)
    result = {"totalBets": figures["bets"], "totalWins": figures["wins"],
              "bonuses": figures["bonuses"], "netLoss": net_loss, "base": base,
              "tier": tier[0] if tier else None, "percent": tier[1].percent if tier else ZERO,
              "usdRate": usd_rate, "cap": None, "minimum": ZERO, "amount": ZERO,
              "wagering": tier[1].wagering if tier else ZERO}
    if tier is None:
        return result | {"reason": "no cashback tier for this VIP level"}
    if reason:
        return result | {"reason": reason}
    return result | limited(tier[1], base, quantum, usd_rate)


def limited(tier: CashbackTier, base: Decimal, quantum: Decimal,
            usd_rate: Decimal | None) -> dict[str, Any]:
    """The amount within the tier's limits (converted from USD), or why it is skipped."""
    amount = (base * tier.percent / HUNDRED).quantize(quantum, rounding=ROUND_DOWN)
    needs_rate = tier.max_usd is not None or tier.min_usd > 0
    if needs_rate and not usd_rate:
        return {"amount": ZERO, "reason": "no USD rate to convert the tier's limits"}
    cap = (None if tier.max_usd is None
           else limit_in(tier.max_usd, usd_rate, quantum, ROUND_DOWN))  # type: ignore[arg-type]
    minimum = (ZERO if tier.min_usd == 0
               else limit_in(tier.min_usd, usd_rate, quantum, ROUND_UP))  # type: ignore[arg-type]
    if cap is not None:
        amount = min(amount, cap)
    reason = ""
    if amount <= 0 or amount < minimum:
        reason = "below the minimum cashback" if minimum else "the amount rounds to zero"
    return {"cap": cap, "minimum": minimum, "amount": amount if not reason else ZERO,
            "reason": reason}
