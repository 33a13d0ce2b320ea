"""The game catalogue: ConfigureGame validates RTP and is idempotent by content.

Runs through a Ledger on the in-memory (POPO) event store: no database.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from api.config.business import BusinessConfig
from domain.wallet.commands import Adjust
from domain.kernel.errors import InvalidInput
from domain.betting.games import ConfigureGame, Game, GameSettings, check_rtp, game_key
from domain.ledger import Ledger
from domain.players.model import player_key
from tests.factories import bet_command

D = Decimal
POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def ledger():
    built = Ledger(env=POPO, rules=BusinessConfig().rules())
    yield built
    built.close()


def configure(ledger: Ledger, rtp: str = "99", *, game_id: str = "crash",
              category: str = "crash", provider: str = "Spribe", house_game: bool = False):
    return ledger.execute(ConfigureGame(game_id=game_id, rtp=D(rtp), category=category,
                                        provider=provider, house_game=house_game,
                                        actor="operator-1"))


def game_of(ledger: Ledger, game_id: str = "crash") -> Game:
    return ledger.repository.get(game_key(game_id))


def test_configuring_a_new_game_records_its_settings(ledger):
    outcome = configure(ledger, "96.5")
    assert outcome.result == GameSettings(game_id="crash", rtp=D("96.5"), category="crash",
                                          provider="Spribe", house_game=False, version=1)
    assert not outcome.replayed
    game = game_of(ledger)
    assert (game.game_id, game.settings()) == ("crash", (D("96.5"), "crash", "Spribe", False))


def test_the_same_settings_again_record_nothing(ledger):
    configure(ledger, "96.5")
    head = ledger.head()
    again = configure(ledger, "96.50")  # the same percent, written differently
    assert again.replayed and again.result.version == 1
    assert ledger.head() == head


def test_new_settings_reconfigure_the_game(ledger):
    configure(ledger, "96.5")
    outcome = configure(ledger, "97", category="crash-x", provider="Spribe", house_game=True)
    assert (outcome.result.version, outcome.replayed) == (2, False)
    assert game_of(ledger).settings() == (D(97), "crash-x", "Spribe", True)
    events = list(ledger.events.get(game_key("crash")))
    assert [type(e).__name__ for e in events] == ["Configured", "Reconfigured"]
    assert events[-1].actor == "operator-1"


@pytest.mark.parametrize("rtp", ["100", "99", "96.5", "99.1234", "0.0001", "1E+1"])
def test_rtp_is_a_percent_above_zero_up_to_one_hundred(rtp):
    assert check_rtp(D(rtp)) == D(rtp)


@pytest.mark.parametrize("rtp", ["0", "-1", "100.0001", "101", "99.12345", "NaN", "sNaN",
                                 "Infinity", "-Infinity"])
def test_rtp_outside_the_percent_range_or_too_fine_is_refused(ledger, rtp):
    with pytest.raises(InvalidInput) as refused:
        configure(ledger, rtp)
    assert refused.value.field == "rtp"
    assert ledger.head() == 0


@pytest.mark.parametrize("field", ["game_id", "category", "provider"])
def test_a_game_needs_an_id_a_category_and_a_provider(ledger, field):
    with pytest.raises(InvalidInput) as refused:
        configure(ledger, **{field: "  "})
    assert refused.value.field == field
    assert ledger.head() == 0


def test_a_bad_reconfiguration_leaves_the_game_as_it_was(ledger):
    configure(ledger, "96.5")
    with pytest.raises(InvalidInput):
        configure(ledger, "0")
    assert game_of(ledger).rtp == D("96.5")


def test_a_placed_bet_keeps_the_rtp_of_its_time(ledger):
    configure(ledger, "96.5")
    ledger.execute(Adjust("fund", "p1", "USDT", D(100), "cash", "test funds", "finance-1"))
    first = ledger.execute(bet_command("p1", "10", game="crash"))
    configure(ledger, "97", category="crash-x", provider="Other", house_game=True)
    second = ledger.execute(bet_command("p1", "10", game="crash"))
    snapshot = [(b.rtp, b.category, b.game_provider, b.house_game) for b in (
        ledger.repository.get(UUID(o.result.bet_id)) for o in (first, second))]
    assert snapshot == [(D("96.5"), "crash", "Spribe", False), (D(97), "crash-x", "Other", True)]


def test_game_replayed_from_its_events_is_the_same(ledger):
    configure(ledger, "96.5")
    configure(ledger, "97", house_game=True)
    configure(ledger, "98.25", provider="Evolution", house_game=True)
    rebuilt = None
    for event in ledger.events.get(game_key("crash")):
        rebuilt = event.mutate(rebuilt)
    game = game_of(ledger)
    assert (rebuilt.version, rebuilt.settings()) == (game.version, game.settings()) == (
        3, (D("98.25"), "crash", "Evolution", True))


def test_game_ids_are_natural_and_do_not_collide_with_other_keys():
    assert game_key("dice") == game_key("dice") != game_key("Dice")
    assert game_key("dice") != player_key("dice")
