"""A role matrix across two brands, generated from the app's route table: a token
scoped to one brand never reaches another brand's player (403 or 404, never
data), whatever the route and the role; a group token and a token of the
player's own brand still do. A new route is in the matrix by being in the app."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import SecretStr

from api.http.auth import Role
from api.http.brand_scope import BRAND_FILTERED, COMMAND_SCOPED
from tests.e2e.conftest import PROVIDER_SECRETS, sign
from tests.e2e.http_helpers import bet_body

BRANDS = '[brands.nova]\ncompany = "stellar"\n[brands.orbit]\ncompany = "stellar"\n'
HOME, AWAY = ("pn", "nova"), ("po", "orbit")  # a player of each brand
QUERIES = {"/v1/admin/reports/pnl": "?from=2000-01-01&to=2100-01-01"}


@pytest.fixture
def settings(settings, tmp_path):
    config = tmp_path / "brands.toml"
    config.write_text(settings.config.read_text() + BRANDS)
    return settings.model_copy(update={"config": config})


@pytest.fixture
def two_brands(client, auth, operator, finance, game, place, settle) -> dict[str, str]:
    """pn in nova, po in orbit, each with 100 USDT, a lost bet of 10 and one open;
    the open bets' ids."""
    game()
    bets = {}
    for player, brand in (HOME, AWAY):
        put = client.put(f"/v1/admin/players/{player}/brand", json={"brand": brand},
                         headers=operator)
        assert put.status_code == 200 and put.json()["company"] == "stellar", put.text
        assert client.post("/v1/admin/adjustments", headers=finance, json={
            "requestId": f"adj-{player}", "playerId": player, "currency": "USDT",
            "amount": "100", "balance": "cash", "reason": "float"}).status_code == 200
        lost = place(playerId=player, roundId=f"lost-{player}",
                     requestId=f"lost-{player}")["betId"]
        assert settle(f"lost-{player}", (lost, "LOSS", "0")).status_code == 200
        bets[player] = place(playerId=player, roundId=f"r-{player}",
                             requestId=f"bet-{player}")["betId"]
    return bets


def admitted(route: APIRoute) -> set[Role]:
    found: set[Role] = set()

    def walk(dependant: Any) -> None:
        for sub in dependant.dependencies:
            found.update(getattr(sub.call, "roles", ()))
            walk(sub)

    walk(route.dependant)
    return found


def every_call(app) -> Iterator[tuple[str, APIRoute]]:
    for route in app.state.routes:
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route


def command_body(path: str, player: str, bet_id: str) -> dict[str, Any]:
    """A valid body naming `player` (or their bet) for a route whose command decides."""
    return {
        "/v1/bets/place": bet_body(playerId=player, requestId="x-bet", roundId="x-r"),
        "/v1/rounds/settle": {"requestId": "x-settle", "roundId": f"r-{player}",
                              "bets": [{"betId": bet_id, "outcome": "LOSS", "payout": "0"}]},
        "/v1/bets/{bet_id}/refund": {"requestId": "x-refund"},
        "/v1/bets/{bet_id}/rollback": {"requestId": "x-rollback"},
        "/v1/admin/adjustments": {"requestId": "x-adj", "playerId": player,
                                  "currency": "USDT", "amount": "5", "balance": "cash",
                                  "reason": "probe"},
    }[path]


def call(client, method: str, route: APIRoute, token: str, player: str,
         bet_id: str) -> Any:
    path = (route.path.replace("{player_id}", player).replace("{bet_id}", bet_id)
            .replace("{flip_id}", f"{player}:USDT:0").replace("{job}", "rakeback-daily")
            .replace("{game_id}", "slot-99").replace("{withdrawal_id}", "w-1")
            .replace("{request_id}", "rq-1").replace("{scope}", "withdrawals"))
    path = re.sub(r"\{[a-z_]+\}", "any-1", path)  # any other id: a valid one
    body = (command_body(route.path, player, bet_id) if (method, route.path) in COMMAND_SCOPED
            else {})
    raw = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "X-Casino-Signature": sign(PROVIDER_SECRETS["acme"], raw)}
    return client.request(method, path + QUERIES.get(route.path, ""),
                          content=raw if method != "GET" else None, headers=headers)


def token_for(services, role: Role, player: str, brand: str | None) -> str:
    subject = player if role == Role.PLAYER else ("acme" if role == Role.PROVIDER
                                                  else f"{role.value}-1")
    return services.tokens.issue(role, subject, brand=brand)


def test_a_scoped_token_never_reaches_another_brands_player(app, client, services,
                                                           two_brands, log_head):
    player = AWAY[0]
    head = log_head()
    for method, route in every_call(app):
        for role in Role:
            token = token_for(services, role, player, HOME[1])
            response = call(client, method, route, token, player, two_brands[player])
            if "{player_id}" in route.path:
                expected = {404}
            elif (method, route.path) in COMMAND_SCOPED:
                expected = {404} if role in admitted(route) else {403}
            elif (method, route.path) in BRAND_FILTERED:  # its own brand's rows only
                expected = {200} if role in admitted(route) else {403}
                assert f'"{player}"' not in response.text
            else:
                expected = {403}
            assert response.status_code in expected, (method, route.path, role,
                                                      response.text)
    services.projections.catch_up()
    notes = services.ledger.recorder.select_notifications(start=head + 1, limit=100)
    kinds = {type(services.ledger.mapper.to_domain_event(n)).__qualname__ for n in notes}
    assert kinds == {"AuditExport.Recorded"}  # the exports asked for, and nothing else


def test_the_players_own_brand_and_the_group_still_read_and_write(app, client, services,
                                                                  two_brands):
    reads = [route for method, route in every_call(app)
             if method == "GET" and route.path.startswith("/v1/players/{player_id}")]
    assert len(reads) >= 8
    for player, brand in (HOME, AWAY):
        for route in reads:
            for role in admitted(route):
                for scope in (brand, None):  # the player's brand, the group
                    token = token_for(services, role, player, scope)
                    response = call(client, "GET", route, token, player, "")
                    assert response.status_code in (200, 404), (route.path, role, scope)
                    assert response.status_code == 200 or route.path.endswith("/profile")
    for route, role in ((("POST", "/v1/admin/adjustments"), Role.FINANCE),
                        (("POST", "/v1/rounds/settle"), Role.PROVIDER)):
        [found] = [r for m, r in every_call(app) if (m, r.path) == route]
        token = token_for(services, role, HOME[0], HOME[1])
        response = call(client, "POST", found, token, HOME[0], two_brands[HOME[0]])
        assert response.status_code == 200, response.text


def test_reports_by_brand_show_a_scoped_token_its_own_brand_only(client, services,
                                                                two_brands, finance):
    def wagered(headers: dict[str, str], query: str = "") -> str:
        found = client.get("/v1/admin/reports/pnl" + QUERIES["/v1/admin/reports/pnl"]
                           + query, headers=headers)
        assert found.status_code == 200, found.text
        return str(sum(Decimal(row["wagered"]) for row in found.json()["rows"]))

    nova = {"Authorization": "Bearer " + services.tokens.issue(Role.FINANCE, "f-n",
                                                               brand="nova")}
    assert (wagered(finance), wagered(nova), wagered(finance, "&brand=orbit")) == (
        "20.000000", "10.000000", "10.000000")
    assert client.get("/v1/admin/reports/pnl" + QUERIES["/v1/admin/reports/pnl"]
                      + "&brand=orbit", headers=nova).status_code == 403


def test_a_player_first_met_by_a_scoped_caller_joins_its_brand(client, services, two_brands,
                                                              auth):
    token = services.tokens.issue(Role.FINANCE, "fin-nova", brand="nova")
    body = {"requestId": "adj-new", "playerId": "p-new", "currency": "USDT",
            "amount": "5", "balance": "cash", "reason": "welcome"}
    assert client.post("/v1/admin/adjustments", json=body,
                       headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert services.ledger.brand_of("p-new") == "nova"
    orbit = services.tokens.issue(Role.OPERATOR, "ops-orbit", brand="orbit")
    assert client.get("/v1/players/p-new/balances",
                      headers={"Authorization": f"Bearer {orbit}"}).status_code == 404
    moved = client.put("/v1/admin/players/p-new/brand", json={"brand": "orbit"},
                       headers=auth(Role.OPERATOR, "ops-group"))
    assert moved.status_code == 409  # a brand is for good


def test_a_brand_signs_with_its_own_provider_secret(client, services, two_brands, app):
    services.settings.provider_secrets["nova/acme"] = SecretStr("nova-acme-secret-0123")
    body = json.dumps(bet_body(playerId="pn", requestId="nova-bet", roundId="nova-r")).encode()
    token = services.tokens.issue(Role.PROVIDER, "acme", brand="nova")
    for secret, status in (("nova-acme-secret-0123", 200), (PROVIDER_SECRETS["acme"], 401)):
        response = client.post("/v1/bets/place", content=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "X-Casino-Signature": sign(secret, body)})
        assert response.status_code == status, response.text
