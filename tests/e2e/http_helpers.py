"""Assertions and reads shared by the HTTP tests of bets, games and players."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from fastapi.testclient import TestClient


def bet_body(**overrides: Any) -> dict[str, Any]:
    """A bet of 10 USDT by p1 on slot-99, round r-1."""
    body = {"requestId": "bet-1", "playerId": "p1", "gameId": "slot-99",
            "roundId": "r-1", "stake": {"amount": "10.00", "currency": "USDT"}}
    return body | overrides


def assert_error(response: httpx.Response, status: int, code: str, *mentions: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    for word in mentions:
        assert word in error["message"], (word, error["message"])


def wallet(client: TestClient, headers: dict[str, str], player: str = "p1",
           currency: str = "USDT", at: int | None = None) -> dict[str, Decimal]:
    """One wallet from the balances view (as of log position `at`), as Decimals."""
    extra = {"X-Min-Position": str(at)} if at else {}
    read = client.get(f"/v1/players/{player}/balances", headers=headers | extra)
    assert read.status_code == 200, read.text
    rows = {b["currency"]: b for b in read.json()["balances"]}
    if currency not in rows:
        return {}
    return {k: Decimal(v) for k, v in rows[currency].items()
            if k not in ("playerId", "currency")}


def entries_of(client: TestClient, headers: dict[str, str], reference: str, at: int,
               player: str = "p1") -> list[tuple[str, str, Decimal]]:
    """(type, pocket, amount) of a player's ledger entries for one bet, oldest first."""
    read = client.get(f"/v1/players/{player}/ledger", params={"limit": 500},
                      headers=headers | {"X-Min-Position": str(at)})
    assert read.status_code == 200, read.text
    return [(e["type"], e["pocket"], Decimal(e["amount"]))
            for e in reversed(read.json()["entries"]) if e["reference"] == reference]


def at_precision(body: dict[str, Any], places: int, *fields: str) -> None:
    """Each named amount is a plain decimal string with exactly `places` decimals."""
    for field in fields:
        whole, _, decimals = body[field].partition(".")
        assert whole.lstrip("-").isdigit() and len(decimals) == places, (field, body[field])
