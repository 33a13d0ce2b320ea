"""A command's fingerprint is stored in its Request record: the quick payload
walk must give the very bytes `dataclasses.asdict` gave, for every shape of
command (nested dataclasses, tuples of tuples, Decimals, instants, None)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from domain.betting.commands import BetOutcome, PlaceBet, SettleRound
from domain.commanding.runner import _canonical, fingerprint
from domain.players.commands import SetLimits
from domain.wallet.commands import Adjust

text = st.text(min_size=1, max_size=12)
amounts = st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False)
instants = st.datetimes(timezones=st.just(timezone.utc)) | st.none()


def as_asdict_gave(command) -> str:
    payload = dataclasses.asdict(command)
    payload.pop("request_id", None)
    canonical = json.dumps([command.kind, payload], sort_keys=True, default=_canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


commands = st.one_of(
    st.builds(PlaceBet, text, text, text, text, text, text, amounts),
    st.builds(SettleRound, text, text, text, st.lists(
        st.builds(BetOutcome, text, st.sampled_from(["WIN", "LOSS"]), amounts),
        max_size=3).map(tuple)),
    st.builds(Adjust, text, text, text, amounts, st.sampled_from(["cash", "bonus"]),
              text, text),
    st.builds(SetLimits, text, instants, st.lists(st.tuples(text, amounts),
                                                  max_size=3).map(tuple), text, text),
)


@given(commands)
def test_the_fingerprint_is_the_one_asdict_gave(command):
    assert fingerprint(command) == as_asdict_gave(command)


def test_a_known_fingerprint_stays_put():
    command = SetLimits(player_id="p1", self_excluded_until=datetime(2026, 1, 2,
                        tzinfo=timezone.utc), daily_loss_limits=(("USDT", 10),),
                        actor="ops", reason="break")
    assert fingerprint(command) == as_asdict_gave(command)
