from decimal import Decimal

from domain.wallet.commands import Adjust


def test_adjustment_reaches_every_projection(services):
    outcome = services.ledger.execute(
        Adjust("r1", "p1", "BTC", Decimal("1.50000000"), "cash", "welcome", "fin1"))
    services.projections.catch_up()
    [row] = services.balances.for_player("p1")
    assert row["cash"] == Decimal("1.5")
    assert services.journal.trial_balance() == {"BTC": 0}
    assert services.projections.views["balances"].position() >= outcome.position
