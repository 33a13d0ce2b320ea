"""The checks that run before money moves: a bet, a withdrawal, a deposit credit.

Each reads the player record the command already holds and the configuration;
none queries the store (the USD rate only when a USD limit applies).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.compliance.refusals import BetBlocked, LimitRefused
from domain.compliance.rules import RG_PERIODS, ComplianceRules, limit_of
from domain.compliance.standing import in_force
from domain.compliance.tallies import total

Rate = Callable[[], Decimal | None]
WORDS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}


def check_bet(rules: ComplianceRules, player: Any, *, provider: str, game: Any,
              currency: str, stake: Decimal, open_stakes: Decimal, rate: Rate,
              now: datetime, country: str | None) -> None:
    check_country(rules, player, provider, game, country)
    if player.timeout_until is not None and now < player.timeout_until:
        raise BetBlocked("RG_BLOCKED", "TIME_OUT", "the player is on a time-out until "
                         f"{player.timeout_until.isoformat()}")
    if player.rg_limits or player.rg_pending:
        for kind in ("loss", "wager"):
            over_rg(player, kind, currency, open_stakes + stake, now)
    limit = limit_of(rules.tier(player.kyc).max_bet, currency, rate)
    if limit is not None and stake > limit:
        raise BetBlocked("KYC_LIMIT", f"kyc.{player.kyc}.max_bet",
                         f"stake over {limit} {currency}, the maximum at KYC {player.kyc}")
    name = rules.profile_name(player.profile, player.level, player.country)
    limit = limit_of(rules.profile(name).max_stake, currency, rate)
    if limit is not None and stake > limit:
        raise BetBlocked("PROFILE_LIMIT", f"profile.{name}.max_stake",
                         f"stake over {limit} {currency}, the maximum of profile {name}")


def check_country(rules: ComplianceRules, player: Any, provider: str, game: Any,
                  country: str | None) -> None:
    if not (rules.blocked_by_provider or rules.blocked_by_game):
        return
    blocked = (rules.blocked_by_provider.get(provider, frozenset())
               | rules.blocked_by_provider.get(game.provider, frozenset())
               | rules.blocked_by_game.get(game.game_id, frozenset()))
    for where in (country, player.country):
        if where and where in blocked:
            raise BetBlocked("COUNTRY_BLOCKED", f"country.{where}",
                             f"game {game.game_id} is not offered in {where}")


def over_rg(player: Any, kind: str, currency: str, adding: Decimal,
            now: datetime) -> None:
    for period in RG_PERIODS:
        limit = in_force(player, f"{kind}:{period}:{currency}", now)
        if limit is None:
            continue
        worst = total(player.tallies, kind, period, now, currency) + adding
        if worst > limit:
            rule = f"{kind.upper()}_LIMIT_{WORDS[period]}"
            raise BetBlocked("RG_BLOCKED", rule, f"{kind} this {period} could reach "
                             f"{worst} {currency}, over the limit of {limit}")


def check_withdrawal(rules: ComplianceRules, player: Any, currency: str,
                     amount: Decimal, rate: Rate, now: datetime) -> None:
    held = player.review_holds.get("withdrawals")
    if held:
        raise LimitRefused("REVIEW_HOLD", f"signal.{held[0]}", "withdrawals are held "
                             f"for review of signal(s) {', '.join(held)}")
    today = total(player.tallies, "withdrawal", "day", now, currency) + amount
    name = rules.profile_name(player.profile, player.level, player.country)
    for reason, rule, limits in (
            ("KYC_LIMIT", f"kyc.{player.kyc}.withdrawal", rules.tier(player.kyc).withdrawal),
            ("PROFILE_LIMIT", f"profile.{name}.withdrawal_per_day",
             rules.profile(name).withdrawal_per_day)):
        limit = limit_of(limits, currency, rate)
        if limit is not None and today > limit:
            raise LimitRefused(reason, rule, f"withdrawals today would reach {today} "
                                 f"{currency}, over the limit {rule} of {limit}")


def deposit_over(rules: ComplianceRules, player: Any, currency: str, amount: Decimal,
                 rate: Rate, now: datetime) -> str | None:
    """The rule a deposit credit would break (it is held for review), or None."""
    today = total(player.tallies, "deposit", "day", now, currency) + amount
    limit = limit_of(rules.tier(player.kyc).deposit, currency, rate)
    if limit is not None and today > limit:
        return f"kyc.{player.kyc}.deposit"
    for period in RG_PERIODS:
        limit = in_force(player, f"deposit:{period}:{currency}", now)
        if limit is not None and (
                total(player.tallies, "deposit", period, now, currency) + amount > limit):
            return f"DEPOSIT_LIMIT_{WORDS[period]}"
    return None


def check_payout(rules: ComplianceRules, player: Any, currency: str, payout: Decimal,
                 rate: Rate, earlier: Callable[[], Decimal]) -> None:
    """A WIN's payout, with what the round paid the player before it (`earlier`,
    read only when a maximum is set), within the profile's maximum per round."""
    name = rules.profile_name(player.profile, player.level, player.country)
    limit = limit_of(rules.profile(name).max_payout, currency, rate)
    if limit is not None and payout + earlier() > limit:
        raise LimitRefused("PROFILE_LIMIT", f"profile.{name}.max_payout",
                           f"the round's payout with {payout} {currency} is over the "
                           f"maximum {limit} of profile {name}", player.player_id)
