"""Seamless-wallet commands from game providers: place, settle, refund, roll back.

Each command commits the bets, wallets and player records it touches in one
transaction. Placement refuses with `BetRejected` (a stable reason code) and
changes nothing; settlement of a bet already settled the same way is a no-op,
and settled another way is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.betting.model import OPEN, OUTCOMES, REFUNDED, SETTLED, Bet, bet_key
from domain.kernel.clock import clock
from domain.kernel.errors import Conflict, InsufficientFunds, InvalidInput, NotFound
from domain.kernel.fx import in_usd, usd_rates
from domain.betting.games import game_key
from domain.betting.rounds import round_key
from domain.compliance.checks import check_bet, check_payout
from domain.kernel.money import ZERO, Currencies
from domain.players.model import BetRejected, Player, player_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.wallet.model import Wallet, wallet_id


@dataclass(frozen=True)
class WalletAfter:
    """What the player can play with after a bet's command: free cash plus free
    bonus (`balance_after`), and each."""

    balance_after: Decimal
    cash_after: Decimal
    bonus_after: Decimal


@command_result("bet-placed")
@dataclass(frozen=True)
class BetPlaced(WalletAfter):
    bet_id: str
    currency: str
    hold: Decimal
    cash_part: Decimal
    bonus_part: Decimal
    status: str = "ACCEPTED"  # a refused bet is a BetRejected error instead


@dataclass(frozen=True)
class BetSettled(WalletAfter):
    bet_id: str
    outcome: str
    payout: Decimal
    currency: str


@command_result("round-settled")
@dataclass(frozen=True)
class RoundSettled:
    round_id: str
    bets: tuple[BetSettled, ...]


@command_result("bet-refunded")
@dataclass(frozen=True)
class BetRefunded(WalletAfter):
    bet_id: str
    status: str
    amount: Decimal
    currency: str


@command_result("bet-rolled-back")
@dataclass(frozen=True)
class BetRolledBack(WalletAfter):
    bet_id: str
    status: str
    currency: str


@dataclass(frozen=True)
class PlaceBet:
    request_id: str
    provider: str
    player_id: str
    game_id: str
    round_id: str
    currency: str
    stake: Decimal
    country: str | None = None  # where the player is, when the provider says

    @property
    def kind(self) -> str:
        return provider_kind("bet", self.provider)

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> BetPlaced:
        stake = self._checked_stake(uow)
        game = uow.find(game_key(self.game_id))
        if game is None:
            raise BetRejected("UNKNOWN_GAME", f"no game {self.game_id!r} in the catalogue")
        wallet = uow.find(wallet_id(self.player_id, self.currency))
        if wallet is None:
            raise BetRejected("INSUFFICIENT_FUNDS", f"no {self.currency} wallet")
        player = uow.find(player_key(self.player_id))
        compliance = uow.rules.compliance
        if player is not None or compliance.enabled:
            open_stakes, now = open_bet_stakes(wallet), clock.now()
            if player is not None:
                player.check_may_bet(self.currency, stake, open_stakes, now)
            if compliance.enabled:
                self._check_compliance(uow, player, game, stake, open_stakes, now)
        cash, bonus = fund(stake, wallet, uow.rules.funding)
        bet = uow.add(Bet(
            self.provider, self.request_id, self.player_id, self.game_id, self.round_id,
            self.currency, stake, cash, bonus, game.rtp, game.category,
            game.provider, game.house_game))
        wallet.hold(bet.hold_id, cash=cash, bonus=bonus, purpose="BET",
                    request_id=self.request_id, reference=bet.hold_id)
        return BetPlaced(bet_id=bet.hold_id, currency=self.currency, hold=stake,
                         cash_part=cash, bonus_part=bonus, **balance_after(wallet))

    def _check_compliance(self, uow: UnitOfWork, player: Player | None, game: Any,
                          stake: Decimal, open_stakes: Decimal, now: datetime) -> None:
        """docs/compliance.md; a player with no record yet is checked as registered."""
        check_bet(uow.rules.compliance,
                  player or Player(self.player_id, level=uow.rules.ladder.names[0]),
                  provider=self.provider, game=game, currency=self.currency, stake=stake,
                  open_stakes=open_stakes, rate=lambda: usd_rates(uow).get(self.currency),
                  now=now, country=self.country)

    def _checked_stake(self, uow: UnitOfWork) -> Decimal:
        """The stake at its currency's precision, or a rejection."""
        if self.currency not in uow.currencies:
            raise BetRejected("UNKNOWN_CURRENCY", f"{self.currency!r} is not a currency")
        try:
            stake = uow.currencies.check(self.stake, self.currency, "stake")
        except InvalidInput as error:
            raise BetRejected("INVALID_AMOUNT", error.message) from None
        if stake <= 0:
            raise BetRejected("INVALID_AMOUNT", "stake: must be positive")
        limit = uow.rules.max_stake.get(self.currency)
        if limit is not None and stake > limit:
            raise BetRejected("MAX_STAKE", f"stake over the maximum {limit} {self.currency}")
        return stake


@dataclass(frozen=True)
class BetOutcome:
    bet_id: str
    outcome: str
    payout: Decimal


@dataclass(frozen=True)
class SettleRound:
    request_id: str
    provider: str
    round_id: str
    bets: tuple[BetOutcome, ...]

    @property
    def kind(self) -> str:
        return provider_kind("settlement", self.provider)

    @property
    def partition(self) -> str:
        return f"round:{self.round_id}"

    def decide(self, uow: UnitOfWork) -> RoundSettled:
        ids = [item.bet_id for item in self.bets]
        if not ids or len(set(ids)) != len(ids):
            raise InvalidInput("bets: one entry per bet, at least one", field="bets")
        paid: dict[tuple[str, str], Decimal] = {}  # (player, currency) -> this command's
        return RoundSettled(self.round_id, tuple(
            self._settle(uow, item, paid, frozenset(ids)) for item in self.bets))

    def _settle(self, uow: UnitOfWork, item: BetOutcome,
                paid: dict[tuple[str, str], Decimal], ids: frozenset[str]) -> BetSettled:
        bet = find_bet(uow, self.provider, item.bet_id)
        if bet.round_id != self.round_id:
            raise InvalidInput(f"bets: bet {item.bet_id} belongs to round {bet.round_id}",
                               field="bets")
        payout = checked_payout(uow, bet, item)
        wallet = uow.wallet(bet.player_id, bet.currency, self.request_id)
        if not bet.settled_as(item.outcome, payout):
            key = (bet.player_id, bet.currency)
            check_round_payout(uow, bet, payout, paid.get(key, ZERO), ids)
            settle_bet(uow, bet, wallet, item.outcome, payout, self.request_id)
            paid[key] = paid.get(key, ZERO) + payout
        return BetSettled(bet_id=item.bet_id, outcome=bet.outcome, payout=bet.payout,
                          currency=bet.currency, **balance_after(wallet))


@dataclass(frozen=True)
class OnBet:
    """A provider's command on one of its bets."""

    request_id: str
    provider: str
    bet_id: str
    action: ClassVar[str]

    @property
    def kind(self) -> str:
        return provider_kind(self.action, self.provider)

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def load(self, uow: UnitOfWork) -> tuple[Bet, Wallet]:
        bet = find_bet(uow, self.provider, self.bet_id)
        return bet, uow.wallet(bet.player_id, bet.currency, self.request_id)

    def release(self, bet: Bet, wallet: Wallet) -> None:
        wallet.release_hold(bet.hold_id, request_id=self.request_id,
                            reference=bet.hold_id)


@dataclass(frozen=True)
class RefundBet(OnBet):
    """Return the stake of an open or lost bet; a repeat changes nothing."""

    action: ClassVar[str] = "refund"
    reason: str

    def decide(self, uow: UnitOfWork) -> BetRefunded:
        bet, wallet = self.load(uow)
        if bet.status == OPEN:
            self.release(bet, wallet)
        elif bet.status == SETTLED and bet.outcome == "LOSS":
            return_stake(wallet, bet, self.request_id)
            reverse_play(uow, bet)
        elif bet.status != REFUNDED:
            raise Conflict(f"bet {self.bet_id} is {bet.status.lower()} ({bet.outcome}); "
                           "only an open or lost bet can be refunded (roll a win back first)")
        if bet.status != REFUNDED:
            bet.refund(request_id=self.request_id, reason=self.reason)
        return BetRefunded(bet_id=self.bet_id, status=bet.status, amount=bet.stake,
                           currency=bet.currency, **balance_after(wallet))


@dataclass(frozen=True)
class RollbackBet(OnBet):
    """Undo a bet's last step: its settlement (back to OPEN) or its placement."""

    action: ClassVar[str] = "rollback"

    def decide(self, uow: UnitOfWork) -> BetRolledBack:
        bet, wallet = self.load(uow)
        if bet.status == OPEN:
            self.release(bet, wallet)
        elif bet.status == SETTLED:
            undo_settlement(uow, bet, wallet, self.request_id)
        bet.roll_back(request_id=self.request_id)
        return BetRolledBack(bet_id=self.bet_id, status=bet.status,
                             currency=bet.currency, **balance_after(wallet))


def provider_kind(action: str, provider: str) -> str:
    """Each provider's requestIds are its own: the Request record is keyed by both."""
    return f"{action}:{provider}"


def parse_stake(currencies: Currencies, amount: object, currency: str) -> Decimal:
    """A stake from the wire; a bad one is a REJECTED bet, not a malformed request."""
    if currency not in currencies:
        raise BetRejected("UNKNOWN_CURRENCY", f"{currency!r} is not a currency")
    try:
        return currencies.parse(amount, currency, "stake.amount")
    except InvalidInput as error:
        raise BetRejected("INVALID_AMOUNT", error.message) from None


def check_round_payout(uow: UnitOfWork, bet: Bet, payout: Decimal,
                       this_command: Decimal = ZERO,
                       settling: frozenset[str] = frozenset()) -> None:
    """Compliance's maximum payout per round (docs/compliance.md): `payout` with
    what this command paid the player in the round before it and what the
    round's other settled bets paid (a round of separate transactions keeps
    its bets in a Round); read only when the player's profile sets a maximum."""
    player = uow.find(player_key(bet.player_id))
    if not payout or player is None or not uow.rules.compliance.enabled:
        return
    check_payout(uow.rules.compliance, player, bet.currency, payout,
                 lambda: usd_rates(uow).get(bet.currency),
                 lambda: this_command + round_paid(uow, bet, settling | {bet.hold_id}))


def round_paid(uow: UnitOfWork, bet: Bet, excluding: frozenset[str]) -> Decimal:
    """What the settled bets of `bet`'s round, other than `excluding`, paid."""
    found = uow.find(round_key(bet.provider, bet.player_id, bet.round_id))
    paid = ZERO
    for bet_id in found.bet_ids if found is not None else ():
        other = uow.find(UUID(bet_id)) if bet_id not in excluding else None
        if isinstance(other, Bet) and other.status == SETTLED and (
                other.currency == bet.currency):
            paid += other.payout
    return paid


def find_bet(uow: UnitOfWork, provider: str, bet_id: str) -> Bet:
    """The provider's bet, or NotFound (another provider's bets are not visible)."""
    try:
        bet = uow.find(UUID(bet_id))
    except ValueError:
        bet = None
    if not isinstance(bet, Bet) or bet.provider != provider:
        raise NotFound(f"no bet {bet_id} for provider {provider}", field="betId")
    return bet


def fund(stake: Decimal, wallet: Wallet, policy: str) -> tuple[Decimal, Decimal]:
    """Split a stake into cash and bonus parts by the funding-source policy."""
    if policy == "cash_first":
        cash = min(stake, wallet.available)
        bonus = stake - cash
    else:
        bonus = min(stake, wallet.bonus_available)
        cash = stake - bonus
    if cash > wallet.available or bonus > wallet.bonus_available:
        raise BetRejected("INSUFFICIENT_FUNDS", f"the {wallet.currency} wallet cannot "
                          f"cover a stake of {stake}")
    return cash, bonus


def level_of(uow: UnitOfWork, player_id: str) -> str:
    player = uow.find(player_key(player_id))
    return player.level if player is not None else uow.rules.ladder.names[0]


def open_bet_stakes(wallet: Wallet) -> Decimal:
    return sum((h["cash"] + h["bonus"] for h in wallet.holds.values()
                if h["purpose"] == "BET"), ZERO)


def checked_payout(uow: UnitOfWork, bet: Bet, item: BetOutcome) -> Decimal:
    """The payout as recorded: positive for a WIN, zero otherwise.

    A PUSH or VOID returns the stake through the released hold; a provider may
    send its payout as 0 or as the stake, and both are recorded as 0.
    """
    if item.outcome not in OUTCOMES:
        raise InvalidInput(f"outcome: {item.outcome!r} is not one of {OUTCOMES}",
                           field="outcome")
    payout = uow.currencies.check(item.payout, bet.currency, "payout")
    if payout < 0 or (item.outcome == "WIN" and payout == 0):
        raise InvalidInput("payout: a WIN pays a positive amount", field="payout")
    if item.outcome == "LOSS" and payout != 0:
        raise InvalidInput("payout: a LOSS pays nothing", field="payout")
    if item.outcome in ("PUSH", "VOID"):
        if payout not in (ZERO, bet.stake):
            raise InvalidInput("payout: a PUSH or VOID returns the stake (send 0 or the "
                               "stake)", field="payout")
        return ZERO
    return payout


def split_payout(uow: UnitOfWork, bet: Bet, payout: Decimal) -> tuple[Decimal, Decimal]:
    """Winnings on the bonus part of a stake are bonus money; the rest is cash."""
    if bet.bonus_part == 0:
        return payout, ZERO
    quantum = uow.currencies.get(bet.currency).quantum
    bonus = (payout * bet.bonus_part / bet.stake).quantize(quantum, rounding=ROUND_DOWN)
    return payout - bonus, bonus


def settle_bet(uow: UnitOfWork, bet: Bet, wallet: Wallet, outcome: str, payout: Decimal,
               request_id: str) -> None:
    """Settle an open bet and move its money: the one settlement every protocol uses."""
    cash_payout, bonus_payout = split_payout(uow, bet, payout)
    bet.settle(outcome, payout, cash_payout=cash_payout, bonus_payout=bonus_payout,
               request_id=request_id, player_level=level_of(uow, bet.player_id))
    apply_settlement(uow, bet, wallet, request_id)


def apply_settlement(uow: UnitOfWork, bet: Bet, wallet: Wallet, request_id: str) -> None:
    """Move the money of a settled bet, and count it for the player."""
    ref = bet.hold_id
    if bet.outcome in ("WIN", "LOSS"):
        wallet.settle_hold(ref, request_id=request_id, reference=ref)
    else:
        wallet.release_hold(ref, request_id=request_id, reference=ref)
    for amount, balance in ((bet.cash_payout, "cash"), (bet.bonus_payout, "bonus")):
        if amount:
            wallet.credit(amount, balance=balance, tag="PAYOUT", request_id=request_id,
                          reference=ref)
    if bet.outcome != "VOID":
        uow.player(bet.player_id).record_play(
            bet_id=ref, currency=bet.currency, net_loss=bet.net_loss,
            xp=in_usd(bet.stake, usd_rates(uow).get(bet.currency, ZERO)),
            ladder=uow.rules.ladder, stake=bet.stake)


def undo_settlement(uow: UnitOfWork, bet: Bet, wallet: Wallet, request_id: str) -> None:
    """Take back a settlement's payout and hold the stake again."""
    ref = bet.hold_id
    for amount, balance in ((bet.cash_payout, "cash"), (bet.bonus_payout, "bonus")):
        if amount:
            try:
                wallet.debit(amount, balance=balance, tag="ROLLBACK",
                             request_id=request_id, reference=ref)
            except InsufficientFunds as error:
                raise Conflict(f"the payout of bet {ref} was already spent: "
                               f"{error.message}") from None
    if bet.outcome in ("WIN", "LOSS"):
        wallet.reinstate_hold(ref, cash=bet.cash_part, bonus=bet.bonus_part,
                              request_id=request_id, reference=ref)
    else:
        try:
            wallet.hold(ref, cash=bet.cash_part, bonus=bet.bonus_part, purpose="BET",
                        request_id=request_id, reference=ref)
        except InsufficientFunds as error:
            raise Conflict(f"the stake bet {ref} returned was already spent: "
                           f"{error.message}") from None
    if bet.outcome != "VOID":
        reverse_play(uow, bet)


def reverse_play(uow: UnitOfWork, bet: Bet) -> None:
    uow.player(bet.player_id).reverse_play(
        bet_id=bet.hold_id, currency=bet.currency, net_loss=bet.net_loss,
        played_at=bet.settled_at, stake=bet.stake)


def return_stake(wallet: Wallet, bet: Bet, request_id: str) -> None:
    for amount, balance in ((bet.cash_part, "cash"), (bet.bonus_part, "bonus")):
        if amount:
            wallet.credit(amount, balance=balance, tag="REFUND", request_id=request_id,
                          reference=bet.hold_id)


def balance_after(wallet: Wallet) -> dict[str, Decimal]:
    """What the player can play with now: free cash plus free bonus."""
    return {"balance_after": wallet.available + wallet.bonus_available,
            "cash_after": wallet.available, "bonus_after": wallet.bonus_available}
