"""The cashback follower: keeps the tallies and pays real-time cashback.

Follows the log: each settlement (WIN or LOSS) is counted into the player's
cashback tallies, a refund or rollback of a settlement uncounts it, and a
credit to the bonus balance (tags BONUS, ADJUSTMENT) counts as a bonus
received; for every `realtime` program, each settlement is offered to
CreditRealtimeCashback. Every command is idempotent by natural key (the bet
and the version of its settlement), so a batch seen twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.betting.model import Bet
from domain.betting.settlement import COUNTED_OUTCOMES, reverses_settlement
from domain.cashback.plays import BONUS_TAGS, CountBonusReceived, CountCashbackPlay, UncountCashbackPlay
from domain.cashback.realtime import CreditRealtimeCashback
from domain.commanding.runner import Command
from domain.wallet.model import Wallet
from projections.engine.reaction import Reaction


class CashbackPlays(Reaction):
    name = "cashback_plays"

    def commands(self, event: Any) -> Iterator[Command]:
        rules = self.ledger.rules.cashback
        tallied = bool(rules.tallied_kinds)
        if isinstance(event, Bet.Settled) and event.outcome in COUNTED_OUTCOMES:
            bet_id, version = str(event.originator_id), event.originator_version
            if tallied:
                yield CountCashbackPlay(bet_id, version)
            for program in rules.of_model("realtime"):
                yield CreditRealtimeCashback(program.name, bet_id, version)
        elif tallied and reverses_settlement(event):
            yield self._uncount(event)
        elif tallied and is_bonus_received(event):
            yield CountBonusReceived(
                key=f"{event.originator_id}:{event.originator_version}",
                player_id=event.player_id, currency=event.currency, amount=event.amount,
                received_at=event.timestamp)

    def _uncount(self, event: Any) -> Command:
        """A reversal directly follows the Settled event it reverses: read its time."""
        version = event.originator_version - 1
        [settled] = self.ledger.events.get(event.originator_id, gt=version - 1,
                                           lte=version)
        return UncountCashbackPlay(str(event.originator_id), version, settled.timestamp)


def is_bonus_received(event: Any) -> bool:
    return (type(event) is Wallet.Credited and event.balance == "bonus"
            and event.tag in BONUS_TAGS)
