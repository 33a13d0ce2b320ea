"""Wallet: one player's money in one currency, as cash, bonus and what is locked.

Invariants at every version: 0 <= locked <= cash and 0 <= bonus_locked <= bonus,
so available cash (cash - locked) and free bonus never go negative. Command
methods check the rules and then trigger a past-tense event; the decorated
bodies only mutate, because they run again on every replay.

Every event names its player, currency, the requestId that caused it and a
reference (bet id, tx hash, ...), and says which ledger legs it implies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import InsufficientFunds, InvalidInput, UnknownHold
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO
from domain.kernel.postings import (
    HOUSE_ACCOUNT_BY_HOLD_PURPOSE,
    HOUSE_ACCOUNT_BY_TAG,
    Leg,
    player_account,
    transfer,
)

CREDIT_TAGS = frozenset(
    {"DEPOSIT", "ADJUSTMENT", "PAYOUT", "RAKEBACK", "CASHBACK", "BONUS", "REFUND",
     "WITHDRAWAL_RETURN"})
DEBIT_TAGS = frozenset({"ADJUSTMENT", "ROLLBACK"})
BALANCES = ("cash", "bonus")


class Wallet(LedgerAggregate):
    class Event(LedgerAggregate.Event):
        player_id: str
        currency: str
        request_id: str
        reference: str

        entry_type = ""

        def legs(self) -> list[Leg]:
            return []

        def pocket(self, name: str) -> str:
            return player_account(self.player_id, name)

    class Opened(Event, Aggregate.Created):
        pass

    class Credited(Event):
        balance: str
        amount: Decimal
        tag: str
        actor: str
        memo: str

        @property
        def entry_type(self) -> str:
            return self.tag

        def legs(self) -> list[Leg]:
            pocket = "available" if self.balance == "cash" else "bonus"
            house = HOUSE_ACCOUNT_BY_TAG[self.tag]
            return transfer(house, self.pocket(pocket), self.amount)

    class Debited(Credited):
        def legs(self) -> list[Leg]:
            return [Leg(leg.account, -leg.amount) for leg in super().legs()]

    class Held(Event):
        hold_id: str
        purpose: str
        cash: Decimal
        bonus: Decimal
        entry_type = "HOLD"

        def legs(self) -> list[Leg]:
            return transfer(
                self.pocket("available"), self.pocket("locked"), self.cash
            ) + transfer(self.pocket("bonus"), self.pocket("bonus_locked"), self.bonus)

    class HoldReleased(Held):
        entry_type = "HOLD_RELEASE"

        def legs(self) -> list[Leg]:
            return [Leg(leg.account, -leg.amount) for leg in super().legs()]

    class HoldSettled(Held):
        entry_type = "SETTLE_DEBIT"

        def legs(self) -> list[Leg]:
            house = HOUSE_ACCOUNT_BY_HOLD_PURPOSE[self.purpose]
            return transfer(self.pocket("locked"), house, self.cash) + transfer(
                self.pocket("bonus_locked"), house, self.bonus
            )

    class HoldReinstated(HoldSettled):
        """A settled hold taken back from the house, e.g. a settlement rolled back."""

        entry_type = "SETTLE_REVERSAL"

        def legs(self) -> list[Leg]:
            return [Leg(leg.account, -leg.amount) for leg in super().legs()]

    class BonusConverted(Event):
        """Bonus money whose wagering is met becomes cash (bonus -> available)."""

        amount: Decimal
        grant_id: str
        entry_type = "BONUS_CONVERSION"

        def legs(self) -> list[Leg]:
            return transfer(self.pocket("bonus"), self.pocket("available"), self.amount)

    class BonusForfeited(Event):
        """Bonus money that expired goes back to the house account that paid it."""

        amount: Decimal
        grant_id: str
        tag: str
        entry_type = "BONUS_FORFEIT"

        def legs(self) -> list[Leg]:
            return transfer(self.pocket("bonus"), HOUSE_ACCOUNT_BY_TAG[self.tag], self.amount)

    class Locked(Held):
        """Cash set aside for a withdrawal; like a hold, but never bonus."""

        entry_type = "LOCK"

    class Unlocked(HoldReleased):
        entry_type = "UNLOCK"

    class LockSettled(HoldSettled):
        """A withdrawal's locked cash handed to pending withdrawals once signed."""

        entry_type = "WITHDRAWAL"

    @staticmethod
    def create_id(player_id: str, currency: str, **_: Any) -> UUID:
        return wallet_id(player_id, currency)

    @event(Opened)
    def __init__(self, player_id: str, currency: str, request_id: str, reference: str):
        self.player_id = player_id
        self.currency = currency
        self.cash = ZERO
        self.locked = ZERO
        self.bonus = ZERO
        self.bonus_locked = ZERO
        self.holds: dict[str, dict[str, Any]] = {}

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        """Stamp every event with the wallet's player and currency."""
        kwargs.setdefault("player_id", self.player_id)
        kwargs.setdefault("currency", self.currency)
        super().trigger_event(event_class, **kwargs)

    @property
    def available(self) -> Decimal:
        return self.cash - self.locked

    @property
    def bonus_available(self) -> Decimal:
        return self.bonus - self.bonus_locked

    # Commands: check, then trigger.

    def credit(self, amount: Decimal, *, balance: str, tag: str, request_id: str,
               reference: str, actor: str = "", memo: str = "") -> None:
        check_positive(amount)
        check_choice(balance, BALANCES, "balance")
        check_choice(tag, CREDIT_TAGS, "tag")
        self._credited(balance, amount, tag, actor, memo, request_id, reference)

    def debit(self, amount: Decimal, *, balance: str, tag: str, request_id: str,
              reference: str, actor: str = "", memo: str = "") -> None:
        check_positive(amount)
        check_choice(balance, BALANCES, "balance")
        check_choice(tag, DEBIT_TAGS, "tag")
        free = self.available if balance == "cash" else self.bonus_available
        check_covers(free, amount, f"{balance} available")
        self._debited(balance, amount, tag, actor, memo, request_id, reference)

    def hold(self, hold_id: str, *, cash: Decimal, bonus: Decimal = ZERO,
             purpose: str = "BET", request_id: str, reference: str) -> None:
        self._check_new_hold(hold_id, cash, bonus)
        check_choice(purpose, HOUSE_ACCOUNT_BY_HOLD_PURPOSE, "purpose")
        check_covers(self.available, cash, "cash available")
        check_covers(self.bonus_available, bonus, "bonus available")
        self._held(hold_id, purpose, cash, bonus, request_id, reference)

    def settle_hold(self, hold_id: str, *, request_id: str, reference: str) -> None:
        held = self._open_hold(hold_id, "HOLD")
        self._hold_settled(hold_id, held["purpose"], held["cash"], held["bonus"],
                           request_id, reference)

    def release_hold(self, hold_id: str, *, request_id: str, reference: str) -> None:
        held = self._open_hold(hold_id, "HOLD")
        self._hold_released(hold_id, held["purpose"], held["cash"], held["bonus"],
                            request_id, reference)

    def reinstate_hold(self, hold_id: str, *, cash: Decimal, bonus: Decimal,
                       purpose: str = "BET", request_id: str, reference: str) -> None:
        """Take a settled hold back from the house and hold it again."""
        self._check_new_hold(hold_id, cash, bonus)
        check_choice(purpose, HOUSE_ACCOUNT_BY_HOLD_PURPOSE, "purpose")
        self._hold_reinstated(hold_id, purpose, cash, bonus, request_id, reference)

    def lock(self, lock_id: str, amount: Decimal, *, request_id: str,
             reference: str) -> None:
        self._check_new_hold(lock_id, amount, ZERO)
        check_covers(self.available, amount, "cash available")
        self._locked(lock_id, "WITHDRAWAL", amount, ZERO, request_id, reference)

    def unlock(self, lock_id: str, *, request_id: str, reference: str) -> None:
        held = self._open_hold(lock_id, "LOCK")
        self._unlocked(lock_id, held["purpose"], held["cash"], ZERO, request_id,
                       reference)

    def convert_bonus(self, amount: Decimal, *, grant_id: str, request_id: str,
                      reference: str) -> None:
        """Move free bonus to cash (a grant's wagering is met)."""
        check_positive(amount)
        check_covers(self.bonus_available, amount, "bonus available")
        self._bonus_converted(amount, grant_id, request_id, reference)

    def forfeit_bonus(self, amount: Decimal, *, grant_id: str, tag: str,
                      request_id: str, reference: str) -> None:
        """Take free bonus back to the house account of `tag` (a grant expired)."""
        check_positive(amount)
        check_choice(tag, CREDIT_TAGS, "tag")
        check_covers(self.bonus_available, amount, "bonus available")
        self._bonus_forfeited(amount, grant_id, tag, request_id, reference)
    def settle_lock(self, lock_id: str, *, request_id: str, reference: str) -> None:
        held = self._open_hold(lock_id, "LOCK")
        self._lock_settled(lock_id, held["purpose"], held["cash"], ZERO, request_id,
                           reference)

    def _check_new_hold(self, hold_id: str, cash: Decimal, bonus: Decimal) -> None:
        if not hold_id:
            raise InvalidInput("hold id must not be empty", field="holdId")
        if hold_id in self.holds:
            raise InvalidInput(f"hold {hold_id} is already open", field="holdId")
        for part, field in ((cash, "cash"), (bonus, "bonus")):
            if part < 0:
                raise InvalidInput(f"{field} part of a hold must not be negative",
                                   field=field)
        check_positive(cash + bonus)

    def _open_hold(self, hold_id: str, kind: str) -> dict[str, Any]:
        held = self.holds.get(hold_id)
        if held is None or held["kind"] != kind:
            raise UnknownHold(f"no open {kind.lower()} {hold_id} on this wallet")
        return held

    # Events: mutate only.

    @event(Credited)
    def _credited(self, balance: str, amount: Decimal, tag: str, actor: str,
                  memo: str, request_id: str, reference: str) -> None:
        setattr(self, balance, getattr(self, balance) + amount)

    @event(Debited)
    def _debited(self, balance: str, amount: Decimal, tag: str, actor: str,
                 memo: str, request_id: str, reference: str) -> None:
        setattr(self, balance, getattr(self, balance) - amount)

    @event(Held)
    def _held(self, hold_id: str, purpose: str, cash: Decimal, bonus: Decimal,
              request_id: str, reference: str) -> None:
        self._reserve(hold_id, "HOLD", purpose, cash, bonus)

    @event(HoldSettled)
    def _hold_settled(self, hold_id: str, purpose: str, cash: Decimal,
                      bonus: Decimal, request_id: str, reference: str) -> None:
        self._unreserve(hold_id, cash, bonus)
        self.cash -= cash
        self.bonus -= bonus

    @event(HoldReleased)
    def _hold_released(self, hold_id: str, purpose: str, cash: Decimal,
                       bonus: Decimal, request_id: str, reference: str) -> None:
        self._unreserve(hold_id, cash, bonus)

    @event(HoldReinstated)
    def _hold_reinstated(self, hold_id: str, purpose: str, cash: Decimal,
                         bonus: Decimal, request_id: str, reference: str) -> None:
        self.cash += cash
        self.bonus += bonus
        self._reserve(hold_id, "HOLD", purpose, cash, bonus)

    @event(BonusConverted)
    def _bonus_converted(self, amount: Decimal, grant_id: str, request_id: str,
                         reference: str) -> None:
        self.bonus -= amount
        self.cash += amount

    @event(BonusForfeited)
    def _bonus_forfeited(self, amount: Decimal, grant_id: str, tag: str,
                         request_id: str, reference: str) -> None:
        self.bonus -= amount

    @event(Locked)
    def _locked(self, hold_id: str, purpose: str, cash: Decimal, bonus: Decimal,
                request_id: str, reference: str) -> None:
        self._reserve(hold_id, "LOCK", purpose, cash, bonus)

    @event(Unlocked)
    def _unlocked(self, hold_id: str, purpose: str, cash: Decimal, bonus: Decimal,
                  request_id: str, reference: str) -> None:
        self._unreserve(hold_id, cash, bonus)

    @event(LockSettled)
    def _lock_settled(self, hold_id: str, purpose: str, cash: Decimal, bonus: Decimal,
                      request_id: str, reference: str) -> None:
        self._unreserve(hold_id, cash, bonus)
        self.cash -= cash

    def _reserve(self, hold_id: str, kind: str, purpose: str, cash: Decimal,
                 bonus: Decimal) -> None:
        self.holds[hold_id] = {"kind": kind, "purpose": purpose, "cash": cash,
                               "bonus": bonus}
        self.locked += cash
        self.bonus_locked += bonus

    def _unreserve(self, hold_id: str, cash: Decimal, bonus: Decimal) -> None:
        del self.holds[hold_id]
        self.locked -= cash
        self.bonus_locked -= bonus


def wallet_id(player_id: str, currency: str) -> UUID:
    return natural_id("wallet", player_id, currency)


def check_positive(amount: Decimal) -> None:
    if not amount > 0:
        raise InvalidInput("amount must be positive", field="amount")


def check_choice(value: str, choices: Any, field: str) -> None:
    if value not in choices:
        raise InvalidInput(f"{field}: {value!r} is not one of {sorted(choices)}",
                           field=field)


def check_covers(free: Decimal, amount: Decimal, what: str) -> None:
    if amount > free:
        raise InsufficientFunds(f"{what} is {free}, short of {amount}")
