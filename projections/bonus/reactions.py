"""Bonus wagering: every settled stake counts towards the player's open grants.

Follows the log; for each settlement (WIN or LOSS) it runs WagerBonus keyed
by the bet and the settlement's version, which counts the weighted stake once
per grant and converts a grant whose requirement is met.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.betting.model import Bet
from domain.bonus.commands import WagerBonus
from domain.betting.settlement import COUNTED_OUTCOMES
from domain.commanding.runner import Command
from projections.engine.reaction import Reaction


class BonusWagering(Reaction):
    name = "bonus_wagering"

    def commands(self, event: Any) -> Iterator[Command]:
        if isinstance(event, Bet.Settled) and event.outcome in COUNTED_OUTCOMES:
            yield WagerBonus(str(event.originator_id), event.originator_version)
