"""Cashback and bonuses over HTTP: the weekly job run by hand, a player's rows, the
back office's log and programs, the player's bonus grants, and who may see what.

p1 is a Silver player who loses 1000 and wins 700 USDT (signed provider calls)
in ISO week 2026-W03: the seed 000 example, 30 USDT of cashback as bonus
with a 30 USDT wagering requirement. The clock starts frozen at Thursday
2026-01-15 12:00 UTC and moves to Monday 2026-01-19 for the job.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from api.http.auth import Role
from tests.e2e.http_helpers import assert_error, at_precision, wallet
from tests.factories import credit, set_vip_level

WEEK = "2026-W03"
LOG = "/v1/admin/cashback"
ROWS = "/v1/players/p1/cashback"
BONUSES = "/v1/players/p1/bonuses"


@pytest.fixture
def credited(client, services, frozen_clock, game, place, settle, operator) -> int:
    """The worked example paid by the weekly job run over HTTP; the run's position."""
    game()
    credit(services, "p1", "USDT", "5000")
    credit(services, "p2", "USDT", "5000")
    set_vip_level(services, "p1", "Silver")
    set_vip_level(services, "p2", "Silver")
    lost = place(stake={"amount": "500.00", "currency": "USDT"})
    won = place(roundId="r-2", stake={"amount": "500.00", "currency": "USDT"})
    assert settle("r-1", (lost["betId"], "LOSS", "0")).status_code == 200
    assert settle("r-2", (won["betId"], "WIN", "700")).status_code == 200
    other = place(playerId="p2", roundId="r-3")
    assert settle("r-3", (other["betId"], "WIN", "20")).status_code == 200
    frozen_clock.freeze(datetime(2026, 1, 19, 0, 5, tzinfo=timezone.utc))
    run = client.post("/v1/admin/jobs/cashback-vip/run", json={"period": WEEK},
                      headers=operator)
    assert run.status_code == 200, run.text
    assert run.json()["summary"]["paid"] == {"USDT": "30.000000"}
    return run.json()["position"]


def test_the_weekly_job_run_by_hand_pays_the_worked_example_and_lists_it(
        client, credited, operator, auth):
    headers = operator | {"X-Min-Position": str(credited)}
    body = client.get(LOG, params={"period": WEEK}, headers=headers).json()
    assert body["nextCursor"] is None
    p1, p2 = body["rows"]
    assert {k: p1[k] for k in ("playerId", "program", "period", "currency", "vipLevel",
                               "vipRank", "tier", "percent", "status", "model")} == {
        "playerId": "p1", "program": "vip", "period": WEEK, "currency": "USDT",
        "vipLevel": "Silver", "vipRank": 3, "tier": "silver", "percent": "10",
        "status": "credited", "model": "net_loss"}
    assert (p1["totalBets"], p1["totalWins"], p1["netLoss"], p1["amount"]) == (
        "1000.000000", "700.000000", "300.000000", "30.000000")
    at_precision(p1, 6, "totalBets", "totalWins", "bonuses", "netLoss", "base", "amount")
    assert p1["transactionId"] and p1["createdAt"].startswith("2026-01-19")
    assert (p2["playerId"], p2["status"], p2["reason"], p2["transactionId"]) == (
        "p2", "skipped", "no net loss", None)
    balance = wallet(client, auth(Role.PLAYER, "p1"), at=credited)
    assert (balance["bonus"], balance["cash"]) == (30, 4700)


def test_the_log_filters_by_status_and_program_and_pages(client, credited, operator):
    headers = operator | {"X-Min-Position": str(credited)}
    skipped = client.get(LOG, params={"status": "skipped"}, headers=headers).json()
    assert [r["playerId"] for r in skipped["rows"]] == ["p2"]
    assert client.get(LOG, params={"program": "other"}, headers=headers).json()[
        "rows"] == []
    first = client.get(LOG, params={"limit": 1}, headers=headers).json()
    second = client.get(LOG, params={"limit": 1, "cursor": first["nextCursor"]},
                        headers=headers).json()
    assert [r["playerId"] for r in first["rows"] + second["rows"]] == ["p1", "p2"]


@pytest.mark.parametrize(("params", "field"), [
    ({"period": "2026-W99"}, "period"), ({"status": "paid"}, "status"),
    ({"cursor": "x"}, "cursor"), ({"limit": "0"}, "limit")])
def test_bad_log_filters_are_a_422_naming_the_field(client, operator, params, field):
    assert_error(client.get(LOG, params=params, headers=operator), 422,
                 "invalid_input", field)


def test_a_player_reads_their_own_cashback_rows_and_no_one_else_s(client, credited,
                                                                   auth, operator):
    own = client.get(ROWS, headers=auth(Role.PLAYER, "p1") | {
        "X-Min-Position": str(credited)})
    assert own.status_code == 200
    assert [(r["period"], r["amount"]) for r in own.json()["rows"]] == [
        (WEEK, "30.000000")]
    assert client.get(ROWS, headers=operator).status_code == 200
    assert_error(client.get(ROWS, headers=auth(Role.PLAYER, "p2")), 403, "forbidden")
    assert_error(client.get(ROWS), 401, "unauthorized")


@pytest.mark.parametrize("role", [Role.PLAYER, Role.PROVIDER, Role.COMPLIANCE])
def test_only_operator_and_finance_read_the_log_and_programs(client, auth, role):
    for path in (LOG, f"{LOG}/programs"):
        assert_error(client.get(path, headers=auth(role, "p1")), 403, "forbidden")
    assert client.get(LOG, headers=auth(Role.FINANCE, "f")).status_code == 200


def test_the_programs_are_the_configured_tier_table(client, operator):
    body = client.get(f"{LOG}/programs", headers=operator).json()
    [vip] = body["programs"]
    assert (vip["name"], vip["model"], vip["period"], vip["job"]) == (
        "vip", "net_loss", "weekly", "cashback-vip")
    assert [(t["name"], t["percent"], t["max"], t["wagering"]) for t in vip["tiers"]] == [
        ("bronze", "5", "100", "1"), ("silver", "10", "500", "1"),
        ("gold", "15", "2000", "1"), ("platinum", "20", None, "0")]
    assert vip["levels"]["Beast"] == "platinum" and "Wood" not in vip["levels"]
    assert body["wageringWeights"] == {"slots": "1", "table": "0.1", "live": "0.1"}


def test_a_player_sees_their_grant_and_its_wagering_progress(client, credited, auth,
                                                            place, settle):
    headers = auth(Role.PLAYER, "p1")
    [grant] = client.get(BONUSES, headers=headers).json()["grants"]
    assert (grant["amount"], grant["requirement"], grant["progress"], grant["remaining"],
            grant["status"], grant["currency"]) == (
        "30.000000", "30.000000", "0.000000", "30.000000", "open", "USDT")
    bet = place(roundId="r-9", stake={"amount": "30.00", "currency": "USDT"})
    settled = settle("r-9", (bet["betId"], "LOSS", "0"))
    position = settled.json()["position"]
    [grant] = client.get(BONUSES, headers=headers | {
        "X-Min-Position": str(position)}).json()["grants"]
    assert (grant["progress"], grant["status"], grant["settledAmount"]) == (
        "30.000000", "completed", "30.000000")
    assert_error(client.get(BONUSES, headers=auth(Role.PLAYER, "p2")), 403, "forbidden")
    assert client.get("/v1/players/p2/bonuses", headers=auth(Role.PLAYER, "p2")).json()[
        "grants"] == []
