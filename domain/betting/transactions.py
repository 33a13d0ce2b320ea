"""Commands for protocols that send a round as separate transactions (Hub88).

Each provider transaction id is used once across bets, wins and rollbacks: the
three commands share one kind, so the Request record of a transaction id
answers a repeat with the first result and refuses other content (a conflict
on `requestId`). A bet goes through `PlaceBet` itself, so limits,
self-exclusion, the funding-source policy and the stake checks are those of a
v1 bet; a win settles the bet it names through `settle_bet`, so VIP XP,
rakeback, cashback and P&L follow from the same `Bet.Settled` as for v1.

A win on a bet settled already (a second win) settles it again with the sum;
closing a round settles its unpaid bets as a LOSS; a rollback cancels a bet,
or, when it arrives first, leaves a Tombstone that refuses the late bet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain.betting.commands import (
    BetPlaced,
    PlaceBet,
    RollbackBet,
    WalletAfter,
    balance_after,
    check_round_payout,
    provider_kind,
    settle_bet,
    undo_settlement,
)
from domain.betting.model import OPEN, SETTLED, Bet, bet_key
from domain.betting.rounds import Round, Tombstone, round_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.errors import InvalidInput, NotFound
from domain.kernel.money import ZERO
from domain.players.model import BetRejected
from domain.wallet.model import Wallet


@command_result("round-credited")
@dataclass(frozen=True)
class RoundCredited(WalletAfter):
    currency: str
    amount: Decimal


@command_result("transaction-rolled-back")
@dataclass(frozen=True)
class TransactionRolledBack(WalletAfter):
    currency: str
    found: bool  # False: the transaction never arrived (a Tombstone now stands for it)


@dataclass(frozen=True)
class InRound:
    """A provider transaction of one player's round."""

    request_id: str  # the provider's transaction id
    provider: str
    player_id: str
    round_id: str
    currency: str

    @property
    def kind(self) -> str:
        return provider_kind("transaction", self.provider)

    @property
    def partition(self) -> str:
        return self.player_id

    def close_round(self, uow: UnitOfWork) -> None:
        """Settle the round's open bets as a LOSS and close it."""
        found = uow.find(round_key(self.provider, self.player_id, self.round_id))
        if found is None:
            return
        for bet_id in found.bet_ids:
            bet = uow.find(UUID(bet_id))
            if bet.status == OPEN:
                wallet = uow.wallet(bet.player_id, bet.currency, self.request_id)
                nothing = uow.currencies.check(ZERO, bet.currency)  # at its precision
                settle_bet(uow, bet, wallet, "LOSS", nothing, self.request_id)
        found.close(request_id=self.request_id)


@dataclass(frozen=True)
class BetInRound(InRound):
    """A debit of the round; `close` when it is also the round's last transaction."""

    game_id: str
    stake: Decimal
    close: bool = False

    def decide(self, uow: UnitOfWork) -> BetPlaced:
        if isinstance(uow.find(bet_key(self.provider, self.request_id)), Tombstone):
            raise BetRejected("ROLLED_BACK", f"transaction {self.request_id} was rolled "
                              "back before it arrived")
        placed = PlaceBet(self.request_id, self.provider, self.player_id, self.game_id,
                          self.round_id, self.currency, self.stake).decide(uow)
        self.join_round(uow, placed.bet_id)
        if self.close:
            self.close_round(uow)
        return placed

    def join_round(self, uow: UnitOfWork, bet_id: str) -> None:
        found = uow.find(round_key(self.provider, self.player_id, self.round_id))
        if found is None:
            uow.add(Round(self.provider, self.player_id, self.round_id, bet_id))
        else:
            found.add_bet(bet_id)


@dataclass(frozen=True)
class WinInRound(InRound):
    """A credit of the round: it pays the bet `bet_transaction` names, or, for a
    free round or a promotion (`free`, or no bet named), it is paid on its own."""

    game_id: str
    amount: Decimal
    bet_transaction: str = ""
    free: bool = False
    close: bool = False

    def decide(self, uow: UnitOfWork) -> RoundCredited:
        amount = uow.currencies.check(self.amount, self.currency, "amount")
        if amount < 0:
            raise InvalidInput("amount: must not be negative", field="amount")
        wallet = uow.wallet(self.player_id, self.currency, self.request_id)
        if self.bet_transaction and not self.free:
            bet = self.named_bet(uow)
            if amount:
                self.pay(uow, bet, wallet, amount)
        elif amount:
            wallet.credit(amount, balance="cash", tag="PAYOUT", request_id=self.request_id,
                          reference=f"{self.provider}:{self.request_id}")
        if self.close:
            self.close_round(uow)
        return RoundCredited(currency=self.currency, amount=amount, **balance_after(wallet))

    def named_bet(self, uow: UnitOfWork) -> Bet:
        """The bet this win pays: the player's, live, of this round and currency."""
        bet = live_bet(uow, self.provider, self.bet_transaction, self.player_id)
        if bet.round_id != self.round_id:
            raise NotFound(f"bet {self.bet_transaction} is of round {bet.round_id}, "
                           f"not {self.round_id}", field="betId")
        if bet.currency != self.currency:
            raise InvalidInput(f"currency: bet {self.bet_transaction} is in "
                               f"{bet.currency}", field="currency")
        return bet

    def pay(self, uow: UnitOfWork, bet: Bet, wallet: Wallet, amount: Decimal) -> None:
        """Settle the bet as a WIN; a bet settled before is settled again with the sum."""
        total = amount
        if bet.status == SETTLED:
            total += bet.payout
        check_round_payout(uow, bet, total)
        if bet.status == SETTLED:
            undo_settlement(uow, bet, wallet, self.request_id)
            bet.roll_back(request_id=self.request_id)
        settle_bet(uow, bet, wallet, "WIN", total, self.request_id)


@dataclass(frozen=True)
class RollbackTransaction(InRound):
    """Cancel the bet of `transaction` (its settlement first, if settled); one that
    has not arrived leaves a Tombstone. A bet cancelled before stays cancelled."""

    transaction: str

    def decide(self, uow: UnitOfWork) -> TransactionRolledBack:
        target = uow.find(bet_key(self.provider, self.transaction))
        if target is None:
            target = uow.add(Tombstone(self.provider, self.transaction, self.player_id,
                                       self.request_id))
        if isinstance(target, Tombstone):
            wallet = uow.wallet(self.player_id, self.currency, self.request_id)
            return TransactionRolledBack(currency=self.currency, found=False,
                                         **balance_after(wallet))
        bet = owned(target, self.transaction, self.player_id)
        rollback = RollbackBet(self.request_id, self.provider, bet.hold_id)
        for stage in (SETTLED, OPEN):
            if bet.status == stage:
                rollback.decide(uow)
        wallet = uow.wallet(bet.player_id, bet.currency, self.request_id)
        return TransactionRolledBack(currency=bet.currency, found=True,
                                     **balance_after(wallet))


def live_bet(uow: UnitOfWork, provider: str, transaction: str, player_id: str) -> Bet:
    """The player's bet of `transaction`, open or settled; else NotFound (it never
    arrived, or it was rolled back or refunded)."""
    bet = owned(uow.find(bet_key(provider, transaction)), transaction, player_id)
    if bet.status not in (OPEN, SETTLED):
        raise NotFound(f"bet {transaction} was {bet.status.lower()}", field="betId")
    return bet


def owned(found: object, transaction: str, player_id: str) -> Bet:
    if not isinstance(found, Bet) or found.player_id != player_id:
        raise NotFound(f"no bet {transaction} of player {player_id}", field="betId")
    return found
