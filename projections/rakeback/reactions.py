"""Rakeback accrual: every settled bet's rakeback, accrued exactly once.

Follows the log; for each settlement (not VOID) it runs AccrueRakeback keyed
by the bet, so a bet accrues once however often the follower sees it. With
the `refund_clawback` switch on, a refund or rollback of a settled bet claws
its rakeback back, and a bet settled again accrues again (keys then name the
settlement's event version).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.betting.model import Bet
from domain.betting.settlement import reverses_settlement
from domain.commanding.runner import Command
from domain.rakeback.commands import AccrueRakeback, ClawBackRakeback
from projections.engine.reaction import Reaction


class RakebackAccrual(Reaction):
    name = "rakeback_accrual"

    def commands(self, event: Any) -> Iterator[Command]:
        clawback = self.ledger.rules.rakeback.refund_clawback
        bet_id = str(event.originator_id)
        if isinstance(event, Bet.Settled) and event.outcome != "VOID":
            key = f"{bet_id}:{event.originator_version}" if clawback else bet_id
            yield AccrueRakeback(request_id=key, bet_id=bet_id)
        elif clawback and reverses_settlement(event):
            # A reversal always follows the Settled event it reverses directly.
            yield ClawBackRakeback(request_id=f"{bet_id}:{event.originator_version}",
                                   bet_id=bet_id, accrual_request_id=(
                                       f"{bet_id}:{event.originator_version - 1}"))
