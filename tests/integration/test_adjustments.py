"""Manual adjustments through the ledger, on SQLite and PostgreSQL, and their views."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.wallet.commands import Adjust
from domain.kernel.errors import Conflict, InsufficientFunds, InvalidInput
from tests.factories import (
    adjust,
    all_entries,
    caught_up,
    credit,
    debit,
    dumps,
    pocket_sums,
    view_pockets,
)

D = Decimal
MONEY_VIEWS = ("balances", "ledger_entries", "journal")


def refused(services, error, command_or_call):
    """Run a command that must be refused; assert it appended nothing to the log."""
    head = services.ledger.head()
    with pytest.raises(error) as caught:
        if isinstance(command_or_call, Adjust):
            services.ledger.execute(command_or_call)
        else:
            command_or_call()
    assert services.ledger.head() == head
    return caught.value


def adjustment(request_id="adj-1", player="p1", currency="BTC", amount="1.5",
               balance="cash", reason="goodwill") -> Adjust:
    return Adjust(request_id, player, currency, D(amount), balance, reason, "finance-1")


# Credits and debits.

def test_finance_credit_raises_cash_and_returns_the_wallet_figures(services):
    outcome = services.ledger.execute(adjustment(amount="1.5"))
    assert outcome.result.cash == D("1.5")
    assert outcome.result.available == D("1.5")
    assert (outcome.result.player_id, outcome.result.currency) == ("p1", "BTC")
    assert outcome.position == services.ledger.head()
    assert not outcome.replayed
    assert services.ledger.wallet("p1", "BTC").cash == D("1.5")


def test_bonus_credit_lands_in_bonus_not_cash(services):
    outcome = credit(services, "p1", "USDT", "25", balance="bonus")
    assert (outcome.result.cash, outcome.result.bonus) == (D(0), D(25))


def test_finance_debit_lowers_cash(services):
    credit(services, "p1", "ETH", "2")
    outcome = debit(services, "p1", "ETH", "0.000000000000000001")
    assert outcome.result.cash == D("1.999999999999999999")


def test_debit_beyond_available_is_refused_and_appends_nothing(services):
    credit(services, "p1", "BTC", "1")
    refused(services, InsufficientFunds, adjustment("over", amount="-1.00000001"))
    assert services.ledger.wallet("p1", "BTC").cash == D(1)


def test_debit_of_bonus_cannot_spend_cash(services):
    credit(services, "p1", "BTC", "5")
    refused(services, InsufficientFunds, adjustment("b", amount="-1", balance="bonus"))


def test_debit_from_a_wallet_never_opened_is_refused_and_opens_nothing(services):
    refused(services, InsufficientFunds, adjustment("ghost", player="ghost", amount="-1"))
    assert services.ledger.wallet("ghost", "BTC") is None


# Idempotency.

def test_retry_with_the_same_payload_returns_the_first_result_and_appends_nothing(services):
    first = services.ledger.execute(adjustment("once", amount="2"))
    credit(services, "p1", "BTC", "3")
    head = services.ledger.head()
    again = services.ledger.execute(adjustment("once", amount="2"))
    assert again.replayed
    assert again.result == first.result
    assert services.ledger.head() == head
    assert services.ledger.wallet("p1", "BTC").cash == D(5)


@pytest.mark.parametrize("changed", [{"amount": "2.5"}, {"player": "p2"},
                                     {"currency": "ETH"}, {"balance": "bonus"},
                                     {"reason": "another reason"}])
def test_same_request_id_with_another_payload_is_a_conflict(services, changed):
    services.ledger.execute(adjustment("once", amount="2"))
    error = refused(services, Conflict, adjustment("once", **{"amount": "2", **changed}))
    assert error.field == "requestId"
    assert "once" in error.message
    assert services.ledger.wallet("p1", "BTC").cash == D(2)


def test_refused_request_can_be_retried_once_funds_arrive(services):
    """A refusal records nothing, so the same requestId may succeed later."""
    refused(services, InsufficientFunds, adjustment("wd", amount="-1"))
    credit(services, "p1", "BTC", "1")
    assert services.ledger.execute(adjustment("wd", amount="-1")).result.cash == 0


# Bad input.

@pytest.mark.parametrize("currency", ["DOGE", "btc", ""])
def test_unknown_currency_is_refused(services, currency):
    error = refused(services, InvalidInput, adjustment(currency=currency))
    assert error.field == "currency"


@pytest.mark.parametrize("currency, amount", [
    ("BTC", "0.000000001"), ("USDT", "-1.0000001"), ("ETH", "0.0000000000000000001")])
def test_amount_beyond_the_currency_precision_is_refused(services, currency, amount):
    error = refused(services, InvalidInput, adjustment(currency=currency, amount=amount))
    assert error.field == "amount"


@pytest.mark.parametrize("amount", ["0", "NaN", "Infinity"])
def test_zero_or_non_finite_amount_is_refused(services, amount):
    error = refused(services, InvalidInput, adjustment(amount=amount))
    assert error.field == "amount"


@pytest.mark.parametrize("amount", ["1e30", "-1e60"])
def test_amount_past_twenty_integer_digits_is_refused(services, amount):
    """The HTTP route parses first; a domain caller passing a Decimal must meet the same bound."""
    error = refused(services, InvalidInput, adjustment(amount=amount))
    assert error.field == "amount"


@pytest.mark.parametrize("field, command", [
    ("reason", adjustment(reason="  ")), ("balance", adjustment(balance="locked")),
    ("requestId", adjustment(request_id="")), ("requestId", adjustment(request_id="x" * 201)),
    ("requestId", adjustment(request_id="r\x00")), ("requestId", adjustment(request_id=" r")),
    ("reason", adjustment(reason="a\x00b")), ("player_id", adjustment(player="p\u2028"))])
def test_missing_reason_unknown_balance_or_bad_request_id_is_refused(services, field, command):
    assert refused(services, InvalidInput, command).field == field


# Ledger entries.

def test_ledger_entries_show_each_change_with_the_balance_after_newest_first(services):
    for amount in ["10", "5", "-3"]:
        adjust(services, "p1", "BTC", amount)
    entries = all_entries(caught_up(services), "p1")
    assert [(e["amount"], e["balanceAfter"]) for e in entries] == [
        (D(-3), D(12)), (D(5), D(15)), (D(10), D(10))]
    assert {(e["pocket"], e["type"], e["currency"]) for e in entries} == {
        ("available", "ADJUSTMENT", "BTC")}


def test_ledger_entry_names_its_request_and_reference(services):
    adjust(services, "p1", "BTC", "1", request_id="goodwill-7")
    [entry] = all_entries(caught_up(services), "p1")
    assert (entry["requestId"], entry["reference"]) == ("goodwill-7", "adjustment:goodwill-7")
    assert entry["position"] <= services.ledger.head()


def test_cursor_paging_returns_every_entry_once_in_order(services):
    for n in range(1, 8):
        credit(services, "p1", "USDT", str(n))
    caught_up(services)
    everything = services.ledger_entries.page("p1", limit=100)
    pages, before = [], None
    while page := services.ledger_entries.page("p1", before=before, limit=3):
        pages.append(page)
        before = (page[-1]["position"], page[-1]["leg"])
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [e for p in pages for e in p] == everything
    assert [e["amount"] for e in everything] == [D(n) for n in range(7, 0, -1)]


def test_ledger_entries_filter_by_currency_and_player(services):
    credit(services, "p1", "BTC", "1")
    credit(services, "p1", "ETH", "2")
    credit(services, "p2", "BTC", "4")
    caught_up(services)
    assert [e["amount"] for e in services.ledger_entries.page("p1", currency="ETH")] == [D(2)]
    assert [e["amount"] for e in services.ledger_entries.page("p2")] == [D(4)]


# Balances and journal.

def test_balances_view_shows_each_currency_of_a_player(services):
    credit(services, "p1", "BTC", "1.5")
    credit(services, "p1", "USDT", "100", balance="bonus")
    debit(services, "p1", "BTC", "0.5")
    rows = caught_up(services).balances.for_player("p1")
    assert [(r["currency"], r["cash"], r["bonus"], r["available"]) for r in rows] == [
        ("BTC", D(1), D(0), D(1)), ("USDT", D(0), D(100), D(0))]
    assert all(r["position"] <= services.ledger.head() for r in rows)


def test_entries_of_each_pocket_sum_to_the_balances_view(services):
    credit(services, "p1", "SOL", "3.123456789")
    credit(services, "p1", "SOL", "2", balance="bonus")
    debit(services, "p1", "SOL", "1.000000001")
    caught_up(services)
    assert pocket_sums(services, "p1", "SOL") == view_pockets(services, "p1", "SOL")


def test_journal_trial_balance_is_zero_and_house_pays_the_adjustments(services):
    credit(services, "p1", "BTC", "2")
    credit(services, "p2", "BTC", "1", balance="bonus")
    debit(services, "p1", "BTC", "0.5")
    credit(services, "p1", "ETH", "1")
    journal = caught_up(services).journal
    assert journal.trial_balance() == {"BTC": 0, "ETH": 0}
    assert journal.account_balances("BTC")[("BTC", "house:adjustments")] == D("-2.5")


# Projections: rebuild and status.

def test_rebuilding_each_projection_gives_the_live_view_back(services):
    credit(services, "p1", "BTC", "2")
    credit(services, "p2", "ETH", "1", balance="bonus")
    debit(services, "p1", "BTC", "0.5")
    live = dumps(caught_up(services))
    assert all(rows for name in MONEY_VIEWS for rows in live[name].values())
    for name in services.projections.views:
        services.projections.rebuild(name)
    assert dumps(services) == live


def test_status_shows_lag_until_the_projections_catch_up(services):
    credit(services, "p1", "BTC", "1")
    head = services.ledger.head()
    behind = services.projections.status()
    assert {s["name"] for s in behind} >= set(MONEY_VIEWS)
    assert all(s["head"] == head and s["lag"] == head and s["position"] == 0
               for s in behind)
    services.projections.catch_up()
    assert all(s["lag"] == 0 and s["position"] == head and s["error"] is None
               for s in services.projections.status())
