"""RakebackAccount: a player's rakeback in one currency, in four buckets.

INSTANT is claimable at once. DAILY, WEEKLY and MONTHLY accumulate per UTC
period of accrual (the day, ISO week or month of the settlement they come
from) and become claimable when that period is unlocked. An unlock of period P
takes everything accrued up to P, so a late or repeated unlock neither loses
nor doubles anything; unlocking a period already unlocked does nothing.
What is still claimable when the next unlock comes is forfeited (recorded as
its own amount) or carried, by policy.

The account also holds the provably fair seed of its next double-or-nothing:
the hash of seed 0 is committed when the account opens, and each flip reveals
its seed and commits the next one (domain/rakeback/flip.py).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.rakeback.flip import Flip, seed_hash, server_seed
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO
from domain.rules import BUCKETS

PERIOD_KIND = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month"}


class RakebackAccount(LedgerAggregate):
    @staticmethod
    def create_id(player_id: str, currency: str, **_: Any) -> UUID:
        return rakeback_key(player_id, currency)

    @event("Opened")
    def __init__(self, player_id: str, currency: str, server_seed_hash: str):
        self.player_id = player_id
        self.currency = currency
        self.claimable = dict.fromkeys(BUCKETS, ZERO)
        self.pending: dict[str, dict[str, Decimal]] = {b: {} for b in PERIOD_KIND}
        self.unlocked: dict[str, str] = {}
        self.seed_index = 0
        self.server_seed_hash = server_seed_hash

    @property
    def flip_account(self) -> str:
        return f"{self.player_id}:{self.currency}"

    def accumulated(self, bucket: str) -> Decimal:
        return sum(self.pending[bucket].values(), ZERO)

    # Commands

    def accrue(self, *, bet_id: str, parts: dict[str, Decimal], periods: dict[str, str],
               basis: dict[str, Any]) -> None:
        """Add a settled bet's rakeback; `periods` names each bucket's accrual period."""
        self._accrued(bet_id, {b: parts[b] for b in BUCKETS}, periods, basis)

    def claw_back(self, *, bet_id: str, parts: dict[str, Decimal],
                  periods: dict[str, str]) -> None:
        """Take back a reversed bet's rakeback from what is still unclaimed."""
        taken = {"INSTANT": min(parts["INSTANT"], self.claimable["INSTANT"])}
        for bucket in PERIOD_KIND:
            waiting = self.pending[bucket].get(periods[bucket], ZERO)
            taken[bucket] = min(parts[bucket], waiting)
        if any(taken.values()):
            self._clawed_back(bet_id, taken, periods)

    def unlock(self, bucket: str, period: str, policy: str) -> None:
        """Make what accrued up to `period` claimable (once per period)."""
        if self.unlocked.get(bucket, "") >= period:
            return
        amount = sum((a for p, a in self.pending[bucket].items() if p <= period), ZERO)
        forfeited = self.claimable[bucket] if policy == "forfeit" else ZERO
        if forfeited:
            self._forfeited(bucket, period, forfeited)
        if amount or forfeited:
            self._unlocked(bucket, period, amount)

    def claim(self, bucket: str, *, request_id: str, flip: Flip | None,
              double_rtp: Decimal, quantum: Decimal, secret: bytes) -> Decimal:
        """Zero the bucket; the payout (doubled, or nothing, if flipped)."""
        amount = self.claimable[bucket]
        if amount <= 0:
            raise Conflict(f"nothing to claim in {bucket} {self.currency}")
        if flip is not None and not flip.honest:
            raise Conflict(f"the committed flip seed of {self.currency} was made with "
                           "another secret; claim once without double to commit a new one")
        payout = amount
        record = None
        if flip is not None:
            won = (amount * 2 * double_rtp).quantize(quantum, rounding=ROUND_DOWN)
            payout = won if flip.won else ZERO
            record = flip.record()
        # Committed afresh each claim: a changed secret heals on the next plain claim.
        index = self.seed_index + 1 if flip else self.seed_index
        next_hash = seed_hash(server_seed(secret, self.flip_account, index))
        self._claimed(bucket, amount, payout, record, next_hash, request_id)
        return payout

    def next_flip(self, secret: bytes, client_seed: str) -> Flip:
        seed = server_seed(secret, self.flip_account, self.seed_index)
        return Flip(seed, self.server_seed_hash, client_seed, self.seed_index)

    # Events

    @event("Accrued")
    def _accrued(self, bet_id: str, parts: dict[str, Decimal], periods: dict[str, str],
                 basis: dict[str, Any]) -> None:
        self._move(parts, periods, +1)

    @event("ClawedBack")
    def _clawed_back(self, bet_id: str, parts: dict[str, Decimal],
                     periods: dict[str, str]) -> None:
        self._move(parts, periods, -1)

    @event("Forfeited")
    def _forfeited(self, bucket: str, period: str, amount: Decimal) -> None:
        """What was still claimable when the unlock of `period` came (forfeit policy)."""
        self.claimable[bucket] -= amount

    @event("Unlocked")
    def _unlocked(self, bucket: str, period: str, amount: Decimal) -> None:
        self.pending[bucket] = {p: a for p, a in self.pending[bucket].items() if p > period}
        self.claimable[bucket] += amount
        self.unlocked[bucket] = period

    @event("Claimed")
    def _claimed(self, bucket: str, amount: Decimal, payout: Decimal,
                 flip: dict[str, Any] | None, next_seed_hash: str, request_id: str) -> None:
        self.claimable[bucket] = ZERO
        if flip is not None:
            self.seed_index += 1
        self.server_seed_hash = next_seed_hash

    def _move(self, parts: dict[str, Decimal], periods: dict[str, str], sign: int) -> None:
        self.claimable["INSTANT"] += sign * parts["INSTANT"]
        for bucket in PERIOD_KIND:
            key = periods[bucket]
            left = self.pending[bucket].get(key, ZERO) + sign * parts[bucket]
            if left:
                self.pending[bucket][key] = left
            else:
                self.pending[bucket].pop(key, None)


def rakeback_key(player_id: str, currency: str) -> UUID:
    return natural_id("rakeback", player_id, currency)
