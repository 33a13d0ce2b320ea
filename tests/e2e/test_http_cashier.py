"""The cashier over HTTP, with roles, on eth-tester through the real adapters:
deposit addresses, deposits, withdrawals and their approval, treasury and
reconciliation. The hot wallet starts empty; finance records its funding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_account import Account

from api.http.auth import Role
from tests.cashier_chains import evm_services
from tests.chains.evm import EthTesterEvm
from tests.e2e.http_helpers import assert_error

D = Decimal
DESTINATION = Account.create().address
W = "/v1/players/p1/withdrawals"


@pytest.fixture
def local_evm():
    evm = EthTesterEvm()
    yield evm
    evm.close()


@pytest.fixture
def services(settings, tmp_path, local_evm):
    built = evm_services(settings, tmp_path, local_evm, hot_eth="0")
    built.cashier.watch()
    yield built
    built.close()


@pytest.fixture
def p1(auth):
    return auth(Role.PLAYER, "p1")


def deposit(client, services, local_evm, headers, amount: str, currency="ETH",
            player="p1") -> dict:
    address = client.post(f"/v1/players/{player}/deposit-address",
                          json={"currency": currency}, headers=headers).json()["address"]
    local_evm.pay(address, D(amount), currency)
    local_evm.mine(11)
    services.cashier.watch()
    return {"X-Min-Position": str(services.projections.head())}


def withdraw(client, headers, amount: str, request_id: str = "w-1", player="p1", **fields):
    body = {"requestId": request_id, "currency": "ETH", "amount": amount,
            "destination": DESTINATION} | fields
    return client.post(f"/v1/players/{player}/withdrawals", json=body, headers=headers)


def test_deposit_address_is_the_players_own_and_stable(client, p1, auth, finance):
    first = client.post("/v1/players/p1/deposit-address", json={"currency": "ETH"},
                        headers=p1)
    assert first.status_code == 200, first.text
    again = client.post("/v1/players/p1/deposit-address", json={"currency": "USDT"},
                        headers=p1)
    assert again.json()["address"] == first.json()["address"]
    for headers in (auth(Role.PLAYER, "p2"), finance):
        assert client.post("/v1/players/p1/deposit-address", json={"currency": "ETH"},
                           headers=headers).status_code == 403
    assert_error(client.post("/v1/players/p1/deposit-address", json={"currency": "BTC"},
                             headers=p1), 422, "invalid_input", "BTC")


def test_deposits_are_listed_with_their_status(client, services, local_evm, p1, auth):
    at = deposit(client, services, local_evm, p1, "1.25")
    read = client.get("/v1/players/p1/deposits", headers=p1 | at)
    assert read.status_code == 200, read.text
    [row] = read.json()["deposits"]
    assert (row["amount"], row["status"], row["currency"]) == (
        "1.250000000000000000", "credited", "ETH")
    assert client.get("/v1/players/p1/deposits",
                      headers=auth(Role.PLAYER, "p2")).status_code == 403


def test_withdrawal_requests_are_idempotent_and_the_players_own(
        client, services, local_evm, p1, finance):
    deposit(client, services, local_evm, p1, "2")
    first = withdraw(client, p1, "1")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "queued"
    assert withdraw(client, p1, "1").json()["id"] == first.json()["id"]
    assert_error(withdraw(client, p1, "1.5"), 409, "conflict", "requestId")
    assert withdraw(client, finance, "1", "w-9").status_code == 403
    assert_error(withdraw(client, p1, "0.001", "w-2"), 422, "invalid_input", "minimum")
    assert_error(withdraw(client, p1, "0.5", "w-3", destination="0x1234"), 422,
                 "invalid_input", "destination")
    at = {"X-Min-Position": first.headers["X-Log-Position"]}
    listed = client.get(W, headers=p1 | at).json()["withdrawals"]
    assert [w["id"] for w in listed] == [first.json()["id"]]


def test_a_players_request_ids_are_their_own(client, services, local_evm, p1, auth):
    """Bob may use the requestId Alice used: no 409, and nothing learnt about hers."""
    p2 = auth(Role.PLAYER, "p2")
    deposit(client, services, local_evm, p1, "2")
    deposit(client, services, local_evm, p2, "2", player="p2")
    first = withdraw(client, p1, "1")
    other = withdraw(client, p2, "1.5", player="p2")
    assert (first.status_code, other.status_code) == (200, 200), other.text
    assert other.json()["id"] != first.json()["id"]
    assert other.json()["playerId"] == "p2" and D(other.json()["amount"]) == D("1.5")


def test_four_eyes_approval_and_rejection_over_http(client, services, local_evm, p1,
                                                    auth, finance):
    deposit(client, services, local_evm, p1, "50")
    big = withdraw(client, p1, "40").json()  # 120,000 USD: two approvals
    assert big["status"] == "pending_approval" and big["approvalsNeeded"] == 2
    approve = f"/v1/admin/withdrawals/{big['id']}/approve"
    reason = {"reason": "source of funds checked"}
    assert client.post(approve, json=reason, headers=p1).status_code == 403
    assert client.post(approve, json=reason,
                       headers=auth(Role.OPERATOR, "ops")).status_code == 403
    assert client.post(approve, json=reason, headers=finance).json()["approvals"] == [
        "fin-alice"]
    assert_error(client.post(approve, json=reason, headers=finance), 409, "conflict",
                 "already approved")
    assert_error(client.post(approve, json=reason, headers=auth(Role.FINANCE, "p1")),
                 409, "conflict", "requester")
    done = client.post(approve, json=reason, headers=auth(Role.FINANCE, "fin-bob"))
    assert done.json()["status"] == "queued"
    other = withdraw(client, p1, "5", "w-2").json()
    rejected = client.post(f"/v1/admin/withdrawals/{other['id']}/reject",
                           json={"reason": "unverified"}, headers=finance)
    assert rejected.json()["status"] == "rejected"
    at = {"X-Min-Position": rejected.headers["X-Log-Position"]}
    queued = client.get("/v1/admin/withdrawals", params={"status": "queued"},
                        headers=finance | at).json()["withdrawals"]
    assert [w["id"] for w in queued] == [big["id"]]
    treasury = client.get("/v1/admin/treasury", headers=finance | at).json()
    assert treasury["queuedAlerts"] == []  # approved and queued is not an alert
    assert client.get("/v1/admin/withdrawals", headers=p1).status_code == 403
    assert_error(client.get("/v1/admin/withdrawals", params={"status": "lost"},
                            headers=finance), 422, "invalid_input", "status")


def test_retry_and_cancel_refuse_a_withdrawal_that_did_not_fail(
        client, services, local_evm, p1, auth, finance):
    deposit(client, services, local_evm, p1, "2")
    request = withdraw(client, p1, "1").json()
    for action in ("retry", "cancel"):
        path = f"/v1/admin/withdrawals/{request['id']}/{action}"
        assert client.post(path, json={"reason": "x"}, headers=p1).status_code == 403
        assert_error(client.post(path, json={"reason": "stuck"},
                                 headers=auth(Role.OPERATOR, "ops")), 409, "conflict",
                     "queued, not failed")


def test_treasury_funding_check_and_reconciliation_over_http(
        client, services, local_evm, p1, auth, finance):
    deposit(client, services, local_evm, p1, "10")
    hot = services.chains["ethereum"].sender.hot_address()
    tx = local_evm.pay(hot, D("1"))
    funding = {"currency": "ETH", "amount": "1", "txHash": tx, "reason": "refill"}
    assert client.post("/v1/admin/treasury/fundings", json=funding,
                       headers=auth(Role.OPERATOR, "ops")).status_code == 403
    assert client.post("/v1/admin/treasury/fundings", json=funding,
                       headers=finance).status_code == 200
    checked = client.post("/v1/admin/treasury/check", headers=finance).json()
    eth = next(r for r in checked if r["currency"] == "ETH")
    assert (eth["status"], eth["refill"]) == ("ok", "0.500000000000000000")
    shown = client.get("/v1/admin/treasury", headers=auth(Role.OPERATOR, "ops")).json()
    assert [h["currency"] for h in shown["health"]] == ["ETH", "USDT"]
    assert client.get("/v1/admin/treasury", headers=p1).status_code == 403
    ran = client.post("/v1/admin/reconciliation", json={"currency": "ETH"},
                      headers=finance)
    assert ran.json()["reports"][0]["verdict"] == "balanced", ran.text
    listed = client.get("/v1/admin/reconciliation", params={
        "currency": "ETH", "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"},
        headers=finance | {"X-Min-Position": str(services.projections.head())})
    assert [r["discrepancy"] for r in listed.json()["reports"]] == [
        "0.000000000000000000"]
    assert client.get("/v1/admin/reconciliation", params={"currency": "ETH",
                      "to": "2000-01-01T00:00:00Z"}, headers=finance).json() == {
        "reports": []}
    assert client.get("/v1/admin/reconciliation",
                      headers=auth(Role.OPERATOR, "ops")).status_code == 403
