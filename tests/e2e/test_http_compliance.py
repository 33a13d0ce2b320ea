"""Compliance over HTTP: a player's own limits and time-out, compliance's settings
and lists, a refused bet's reason and rule, and the KYC provider's signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from pydantic import SecretStr

from api.http.auth import Role
from tests.e2e.http_helpers import assert_error

KYC_SECRET = "kyc-provider-secret-0123456789"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"kyc_webhook_secrets": {
        "idnow": SecretStr(KYC_SECRET)}})


def test_a_player_limits_themselves_and_a_bet_over_it_is_rejected_and_listed(
        client, auth, adjust, game, place):
    game()
    adjust(playerId="p1", currency="USDT", amount="100")
    me = auth(Role.PLAYER, "p1")
    limit = {"kind": "wager", "period": "day", "currency": "USDT", "amount": "15"}
    response = client.put("/v1/players/p1/responsible-gaming/limits", json=limit,
                          headers=me)
    assert response.status_code == 200, response.text
    assert response.json()["limits"] == [{"limit": "wager:day:USDT", "amount": "15.000000",
                                          "pending": None, "pendingSince": None}]
    raised = client.put("/v1/players/p1/responsible-gaming/limits",
                        json=limit | {"amount": "50"}, headers=me).json()
    assert (raised["limits"][0]["amount"], raised["limits"][0]["pending"]) == (
        "15.000000", "50.000000")
    assert client.put("/v1/players/p2/responsible-gaming/limits", json=limit,
                      headers=me).status_code == 403
    assert place(requestId="b-ok")["status"] == "ACCEPTED"
    rejected = place(requestId="b-over")
    assert (rejected["status"], rejected["reason"], rejected["rule"]) == (
        "REJECTED", "RG_BLOCKED", "WAGER_LIMIT_DAILY")
    timeout = client.post("/v1/players/p1/responsible-gaming/time-out",
                          json={"requestId": "t-1", "hours": 24}, headers=me)
    assert timeout.json()["timeoutUntil"] is not None
    assert place(requestId="b-break", stake={"amount": "1", "currency": "USDT"})[
        "rule"] == "TIME_OUT"
    compliance = auth(Role.COMPLIANCE, "cmp-1")
    listed = client.get("/v1/admin/compliance/blocked?playerId=p1", headers=compliance)
    assert [(r["requestId"], r["rule"]) for r in listed.json()["items"]] == [
        ("b-over", "WAGER_LIMIT_DAILY"), ("b-break", "TIME_OUT")]
    assert client.get("/v1/admin/compliance/blocked", headers=me).status_code == 403


def test_the_kyc_webhook_takes_only_what_was_signed_and_once(client, auth):
    body = json.dumps({"eventId": "evt-1", "playerId": "p9", "status": "verified",
                       "evidence": "case-42"}).encode()

    def post(raw: bytes, signature: str | None, provider: str = "idnow"):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Signature"] = signature
        return client.post(f"/v1/webhooks/kyc/{provider}", content=raw, headers=headers)

    good = "sha256=" + hmac.new(KYC_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert post(body, None).status_code == 401
    assert post(body, "sha256=" + "0" * 64).status_code == 401
    assert post(body.replace(b"verified", b"enhanced"), good).status_code == 401
    assert post(body, good, provider="other").status_code == 401
    first = post(body, good)
    assert first.status_code == 200 and first.json()["kyc"] == "verified"
    assert post(body, good).json() == first.json()  # a replay changes nothing
    other = json.dumps({"eventId": "evt-1", "playerId": "p9", "status": "basic",
                        "evidence": "case-43"}).encode()
    assert_error(post(other, "sha256=" + hmac.new(
        KYC_SECRET.encode(), other, hashlib.sha256).hexdigest()), 409, "conflict")
    compliance = auth(Role.COMPLIANCE, "cmp-1")
    standing = client.get("/v1/admin/compliance/players/p9", headers=compliance).json()
    assert standing["kyc"] == "verified"
    downgraded = client.put("/v1/admin/compliance/players/p9/kyc", headers=compliance,
                            json={"status": "basic", "evidence": "review-7"})
    assert downgraded.json()["kyc"] == "basic"
