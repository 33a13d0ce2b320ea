"""The bets and P&L views, fed by real bet commands, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from domain.wallet.commands import Adjust
from domain.betting.commands import BetOutcome, PlaceBet, RefundBet, RollbackBet, SettleRound
from domain.betting.games import ConfigureGame

D = Decimal
DAY1, DAY2, DAY3 = date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17)
NOON1 = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
PROVIDER = "aggregator-1"


# Driving the ledger.

def game(services, game_id="dice", rtp="99", provider="Originals", house=True,
         category="dice"):
    services.ledger.execute(ConfigureGame(game_id, D(rtp), category, provider, house,
                                          "operator-1"))


def fund(services, player, currency, amount, balance="cash"):
    services.ledger.execute(Adjust(f"fund-{player}-{currency}-{balance}-{amount}",
                                   player, currency, D(amount), balance, "test funds",
                                   "finance-1"))


def place(services, request_id, stake, *, player="p1", game_id="dice", currency="USDT",
          round_id="r1"):
    outcome = services.ledger.execute(PlaceBet(
        request_id, PROVIDER, player, game_id, round_id, currency, D(stake)))
    assert outcome.result.status == "ACCEPTED", outcome.result
    return outcome.result.bet_id


def settle(services, bet_id, outcome, payout="0", *, request_id=None, round_id="r1"):
    services.ledger.execute(SettleRound(
        request_id or f"settle-{bet_id}-{outcome}", PROVIDER, round_id,
        (BetOutcome(bet_id, outcome, D(payout)),)))


def refund(services, bet_id, request_id=None):
    services.ledger.execute(RefundBet(request_id or f"refund-{bet_id}", PROVIDER,
                                      bet_id, "provider cancelled the round"))


def roll_back(services, bet_id, request_id):
    services.ledger.execute(RollbackBet(request_id, PROVIDER, bet_id))


def views(services):
    services.projections.catch_up()
    return services.bets, services.pnl


def pnl_rows(services, day_from=DAY1, day_to=DAY3, **filters):
    return [(r["day"], r["gameId"], r["currency"], r["wagered"], r["won"], r["ggr"],
             r["bonusStake"], r["ngr"], r["bets"])
            for r in views(services)[1].report(day_from, day_to, **filters)]


# Bet rows.

def test_a_placed_bet_is_open_with_its_game_snapshot(services, frozen_clock):
    game(services, "crash", rtp="96.5", provider="Spribe", house=False, category="crash")
    fund(services, "p1", "USDT", "100")
    bet_id = place(services, "b1", "12.5", game_id="crash", round_id="r-77")
    bets, _ = views(services)
    assert bets.get(bet_id) == {
        "betId": bet_id, "playerId": "p1", "provider": PROVIDER, "gameId": "crash",
        "roundId": "r-77", "currency": "USDT", "stake": D("12.5"),
        "cashPart": D("12.5"), "bonusPart": D(0), "status": "OPEN", "outcome": None,
        "payout": D(0), "rtp": D("96.5"), "category": "crash",
        "gameProvider": "Spribe", "houseGame": False, "placedAt": NOON1,
        "settledAt": None, "placedPosition": bets.get(bet_id)["placedPosition"]}
    assert bets.get("00000000-0000-0000-0000-000000000000") is None


def test_every_outcome_settles_the_row_and_void_counts_nothing(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    ids = {o: place(services, o, "10") for o in ("WIN", "LOSS", "PUSH", "VOID")}
    frozen_clock.advance(timedelta(minutes=5))
    for outcome, payout in (("WIN", "19.8"), ("LOSS", "0"), ("PUSH", "10"), ("VOID", "0")):
        settle(services, ids[outcome], outcome, payout)
    bets, _ = views(services)
    rows = {o: bets.get(i) for o, i in ids.items()}
    assert {o: (r["status"], r["outcome"], r["payout"]) for o, r in rows.items()} == {
        "WIN": ("SETTLED", "WIN", D("19.8")), "LOSS": ("SETTLED", "LOSS", D(0)),
        "PUSH": ("SETTLED", "PUSH", D(0)), "VOID": ("SETTLED", "VOID", D(0))}
    assert {r["settledAt"] for r in rows.values()} == {NOON1 + timedelta(minutes=5)}
    # WIN, LOSS and PUSH wager 30; the WIN paid 19.8 and the PUSH returned its 10.
    assert pnl_rows(services) == [
        (DAY1, "dice", "USDT", D(30), D("29.8"), D("0.2"), D(0), D("0.2"), 3)]


def test_open_bet_refunded_and_placement_rolled_back_count_nothing(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    refunded, cancelled = place(services, "b1", "5"), place(services, "b2", "7")
    refund(services, refunded)
    roll_back(services, cancelled, "rb-b2")
    bets, _ = views(services)
    assert (bets.get(refunded)["status"], bets.get(refunded)["outcome"]) == (
        "REFUNDED", None)
    assert (bets.get(cancelled)["status"], bets.get(cancelled)["settledAt"]) == (
        "CANCELLED", None)
    assert pnl_rows(services) == []


# P&L: corrections are booked on the day they happen.

def test_refund_after_a_loss_is_booked_on_the_refund_day(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    bet_id = place(services, "b1", "40")
    settle(services, bet_id, "LOSS")
    frozen_clock.advance(timedelta(days=1))
    refund(services, bet_id)
    bets, pnl = views(services)
    row = bets.get(bet_id)
    assert (row["status"], row["outcome"], row["settledAt"]) == ("REFUNDED", "LOSS", NOON1)
    assert pnl_rows(services) == [
        (DAY1, "dice", "USDT", D(40), D(0), D(40), D(0), D(40), 1),
        (DAY2, "dice", "USDT", D(-40), D(0), D(-40), D(0), D(-40), -1)]
    assert pnl.totals(DAY1, DAY2, "USDT") == {
        "currency": "USDT", "wagered": D(0), "won": D(0), "ggr": D(0),
        "bonusStake": D(0), "ngr": D(0), "bets": 0}


def test_win_rolled_back_and_resettled_as_loss_next_day(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    bet_id = place(services, "b1", "10")
    settle(services, bet_id, "WIN", "25")
    frozen_clock.advance(timedelta(days=1))
    roll_back(services, bet_id, "rb-1")
    reopened = views(services)[0].get(bet_id)
    assert (reopened["status"], reopened["outcome"], reopened["payout"],
            reopened["settledAt"]) == ("OPEN", None, D(0), None)
    frozen_clock.advance(timedelta(hours=1))
    settle(services, bet_id, "LOSS", request_id="settle-again")
    row = views(services)[0].get(bet_id)
    assert (row["status"], row["outcome"], row["settledAt"]) == (
        "SETTLED", "LOSS", NOON1 + timedelta(days=1, hours=1))
    # Day 1 keeps the win; day 2 takes it back and counts the loss.
    assert pnl_rows(services) == [
        (DAY1, "dice", "USDT", D(10), D(25), D(-15), D(0), D(-15), 1),
        (DAY2, "dice", "USDT", D(0), D(-25), D(25), D(0), D(25), 0)]
    assert services.pnl.totals(DAY1, DAY3, "USDT")["ggr"] == D(10)


def test_void_rolled_back_books_no_reversal(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    bet_id = place(services, "b1", "10")
    settle(services, bet_id, "VOID")
    frozen_clock.advance(timedelta(days=1))
    roll_back(services, bet_id, "rb-1")
    assert views(services)[0].get(bet_id)["status"] == "OPEN"
    assert pnl_rows(services) == []


def test_bonus_funded_stake_is_not_net_revenue(services, frozen_clock):
    """The bonus part of a lost stake is no revenue; a pushed one came back, costing nothing."""
    game(services)
    fund(services, "p1", "USDT", "3")
    fund(services, "p1", "USDT", "50", balance="bonus")
    lost = place(services, "b1", "8")          # cash first: 3 cash, 5 bonus
    pushed = place(services, "b2", "4")        # all bonus
    settle(services, lost, "LOSS")
    settle(services, pushed, "PUSH", "4")
    bets, pnl = views(services)
    assert (bets.get(lost)["cashPart"], bets.get(lost)["bonusPart"]) == (D(3), D(5))
    assert (bets.get(pushed)["cashPart"], bets.get(pushed)["bonusPart"]) == (D(0), D(4))
    assert pnl_rows(services) == [
        (DAY1, "dice", "USDT", D(12), D(4), D(8), D(5), D(3), 2)]


def test_report_filters_and_orders_by_day_game_currency(services, frozen_clock):
    game(services, "dice", provider="Originals")
    game(services, "slots", rtp="96", provider="Pragmatic", house=False, category="slots")
    fund(services, "p1", "USDT", "100")
    fund(services, "p1", "BTC", "1")
    settle(services, place(services, "b1", "1", game_id="slots"), "LOSS")
    settle(services, place(services, "b2", "0.001", game_id="dice", currency="BTC"), "LOSS")
    frozen_clock.advance(timedelta(days=1))
    settle(services, place(services, "b3", "2", game_id="dice"), "WIN", "3")
    settle(services, place(services, "b4", "0.002", game_id="dice", currency="BTC"),
           "LOSS")
    keys = [(r[0], r[1], r[2]) for r in pnl_rows(services)]
    assert keys == [(DAY1, "dice", "BTC"), (DAY1, "slots", "USDT"),
                    (DAY2, "dice", "BTC"), (DAY2, "dice", "USDT")]
    assert [r[:3] for r in pnl_rows(services, currency="BTC")] == keys[::2]
    assert [r["provider"] for r in services.pnl.report(DAY1, DAY3, provider="Pragmatic")
            ] == ["Pragmatic"]
    assert [r[:3] for r in pnl_rows(services, DAY2, DAY2, game_id="dice")] == keys[2:]
    assert services.pnl.totals(DAY1, DAY2, "BTC")["wagered"] == D("0.003")
    assert services.pnl.totals(DAY2, DAY2, "USDT")["ggr"] == D(-1)


# Paging and rebuilding.

def test_bet_history_pages_newest_first(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    fund(services, "p2", "USDT", "100")
    mine = [place(services, f"b{n}", "1") for n in range(5)]
    place(services, "other", "1", player="p2")
    bets, _ = views(services)
    seen, before = [], None
    while page := bets.page("p1", before=before, limit=2):
        assert len(page) <= 2
        seen += [row["betId"] for row in page]
        before = (page[-1]["placedPosition"], 0)
    assert seen == mine[::-1]
    assert [r["betId"] for r in bets.page("p1", limit=50)] == mine[::-1]
    assert bets.page("nobody") == []


def test_rebuild_gives_the_same_rows_whatever_the_batches(services, frozen_clock):
    game(services)
    fund(services, "p1", "USDT", "100")
    fund(services, "p1", "USDT", "20", balance="bonus")
    ids = [place(services, f"b{n}", "3") for n in range(6)]
    for bet_id, (outcome, payout) in zip(ids, [("WIN", "6"), ("LOSS", "0"),
                                               ("PUSH", "0"), ("VOID", "0"),
                                               ("LOSS", "0"), ("WIN", "4.5")]):
        settle(services, bet_id, outcome, payout)
        services.projections.catch_up()  # one small batch after another
        frozen_clock.advance(timedelta(hours=7))
    refund(services, ids[1])
    services.projections.catch_up()
    roll_back(services, ids[0], "rb-0")
    services.projections.catch_up()
    settle(services, ids[0], "LOSS", request_id="again")
    roll_back(services, ids[5], "rb-5")
    services.projections.catch_up()
    incremental = {n: services.projections.views[n].dump() for n in ("bets", "pnl")}
    for name in ("bets", "pnl"):
        services.projections.rebuild(name)
        assert services.projections.views[name].dump() == incremental[name]
    totals = services.pnl.totals(DAY1, DAY3, "USDT")
    # Counting now: b0 LOSS 3, b2 PUSH 3 (returned), b4 LOSS 3.
    assert (totals["wagered"], totals["won"], totals["bets"]) == (D(9), D(3), 3)
