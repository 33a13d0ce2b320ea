"""Withdrawal rules on both backends: minimum, available cash only, destination for
the chain, AML, four eyes, and concurrent withdrawals of a whole balance."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from eth_account import Account

from api.bootstrap import bootstrap
from api.cashier_wiring import ChainClients
from chain.evm_addresses import EvmAddressValidator
from domain.cashier.withdrawals.records import WithdrawalRecord
from domain.kernel.errors import Conflict, InsufficientFunds, InvalidInput
from domain.cashier.withdrawals.commands import (
    ApproveWithdrawal,
    RejectWithdrawal,
    RequestWithdrawal,
)
from tests.factories import credit, fresh_services, in_threads, postgres_url

D = Decimal
DESTINATION = Account.create().address
DENIED = Account.create().address
CONFIG = f"""
[cashier]
deny_list = ["{DENIED}"]
approval_usd = "10000"
second_approval_usd = "100000"
[cashier.chains.ethereum]
kind = "evm"
currencies = ["ETH", "USDT"]
confirmations = 12
"""
ETHEREUM = {"ethereum": ChainClients(validator=EvmAddressValidator())}


@pytest.fixture
def services(settings, tmp_path):
    config = tmp_path / "cashier.toml"
    config.write_text(CONFIG)
    built = bootstrap(settings.model_copy(update={"config": config}), chains=ETHEREUM)
    yield built
    built.close()


def withdraw(services, amount: str, currency: str = "ETH", *, request_id: str = "w-1",
             destination: str = DESTINATION, player: str = "p1") -> WithdrawalRecord:
    return services.cashier.request_withdrawal(
        request_id=request_id, player_id=player, currency=currency, amount=D(amount),
        destination=destination, requested_by=player).result


def test_below_the_minimum_is_refused(services):
    credit(services, "p1", "ETH", "1")
    with pytest.raises(InvalidInput, match="minimum withdrawal is 0.005"):
        withdraw(services, "0.004")
    assert services.ledger.wallet("p1", "ETH").locked == 0


def test_bonus_is_not_withdrawable(services):
    credit(services, "p1", "ETH", "1", balance="bonus")
    credit(services, "p1", "ETH", "0.5")
    with pytest.raises(InsufficientFunds):
        withdraw(services, "1")
    assert withdraw(services, "0.5").status == "queued"


def test_locked_funds_are_not_available(services):
    credit(services, "p1", "ETH", "1")
    withdraw(services, "0.8")
    with pytest.raises(InsufficientFunds):
        withdraw(services, "0.3", request_id="w-2")


@pytest.mark.parametrize("destination, why", [
    (DESTINATION.lower()[:-1], "expected 0x and 40 hex digits"),
    (DESTINATION[:-1] + ("a" if DESTINATION[-1] != "a" else "b"), "checksum"),
    ("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "not a valid ethereum"),  # BTC
    ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "not a valid ethereum"),  # Tron
], ids=["short", "checksum", "bitcoin", "tron"])  # DESTINATION is made per run
def test_an_invalid_or_wrong_chain_destination_is_refused(services, destination, why):
    credit(services, "p1", "ETH", "1")
    with pytest.raises(InvalidInput, match=why):
        withdraw(services, "0.5", destination=destination)


def test_a_destination_on_the_deny_list_is_refused_by_the_aml_screen(services):
    credit(services, "p1", "ETH", "1")
    with pytest.raises(InvalidInput, match="AML screen .risk score 10 above 7"):
        withdraw(services, "0.5", destination=DENIED)
    assert services.ledger.wallet("p1", "ETH").locked == 0


def approve(services, withdrawal: WithdrawalRecord, actor: str) -> WithdrawalRecord:
    return services.ledger.execute(ApproveWithdrawal(
        UUID(withdrawal.withdrawal_id), actor, "checked the source of funds")).result


def test_above_10000_usd_one_finance_approval_queues_it(services):
    credit(services, "p1", "ETH", "10")
    request = withdraw(services, "4")  # 12,000 USD at 3,000
    assert (request.status, request.approvals_needed) == ("pending_approval", 1)
    with pytest.raises(Conflict, match="requester"):
        approve(services, request, "p1")
    assert approve(services, request, "fin-alice").status == "queued"


def test_above_the_second_threshold_two_different_people_must_approve(services):
    credit(services, "p1", "ETH", "50")
    request = withdraw(services, "40")  # 120,000 USD
    assert request.approvals_needed == 2
    assert approve(services, request, "fin-alice").status == "pending_approval"
    with pytest.raises(Conflict, match="already approved"):
        approve(services, request, "fin-alice")
    done = approve(services, request, "fin-bob")
    assert (done.status, list(done.approvals)) == ("queued", ["fin-alice", "fin-bob"])
    services.projections.catch_up(["adjustment_log"])
    logged = services.adjustment_log.page(kind="WITHDRAWAL_APPROVED")
    assert [(e["actor"], e["before"]["approvals"], e["after"]["status"], e["reason"])
            for e in reversed(logged)] == [
        ("fin-alice", [], "pending_approval", "checked the source of funds"),
        ("fin-bob", ["fin-alice"], "queued", "checked the source of funds")]


def test_a_rejection_unlocks_the_funds_and_records_who_and_why(services):
    credit(services, "p1", "ETH", "10")
    request = withdraw(services, "4")
    services.ledger.execute(RejectWithdrawal(UUID(request.withdrawal_id), "fin-alice",
                                             "unverified source"))
    wallet = services.ledger.wallet("p1", "ETH")
    assert (wallet.locked, wallet.available) == (0, D(10))
    [rejected] = [e for e in services.ledger.events.get(UUID(request.withdrawal_id))
                  if type(e).__name__ == "Rejected"]
    assert (rejected.actor, rejected.reason) == ("fin-alice", "unverified source")


@pytest.mark.postgres_only
def test_concurrent_withdrawals_of_a_whole_balance_only_one_succeeds(
        postgres_database, tmp_path):
    config = tmp_path / "cashier.toml"
    config.write_text(CONFIG)
    url = postgres_url(postgres_database)
    first = fresh_services(url, config=config)
    second = fresh_services(url, config=config)
    try:
        credit(first, "p1", "ETH", "2")
        commands = [RequestWithdrawal(f"w-{n}", "p1", "ETH", D(2), DESTINATION, 0, "p1")
                    for n in range(8)]
        outcomes = in_threads([(first, commands[:4]), (second, commands[4:])])
        succeeded = [o for o in outcomes if not isinstance(o, Exception)]
        assert len(succeeded) == 1
        assert all(isinstance(o, InsufficientFunds) for o in outcomes
                   if isinstance(o, Exception))
        assert second.ledger.wallet("p1", "ETH").locked == D(2)
    finally:
        first.close()
        second.close()


def test_a_chain_without_a_node_or_key_takes_no_withdrawals_nor_deposits(settings):
    """The default configuration names the chains but no node or extended key."""
    built = bootstrap(settings)
    try:
        credit(built, "p1", "BTC", "1")
        with pytest.raises(InvalidInput, match="withdrawals of BTC on bitcoin are not"):
            withdraw(built, "0.5", "BTC", destination="bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
        with pytest.raises(InvalidInput, match="deposits of BTC on bitcoin are not"):
            built.cashier.deposit_address("p1", "BTC")
        assert built.ledger.wallet("p1", "BTC").locked == 0
    finally:
        built.close()
