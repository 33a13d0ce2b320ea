"""Personal data, sealed per player and erased by destroying the player's key:
unreadable in the database itself, the views and the exports, while the money
(balances, trial balance, a verified replay, the export's signature) holds."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from psycopg import sql
from typer.testing import CliRunner

from api.cli.main import cli
from api.http.auth import Role
from projections.audit.replay import replay
from projections.privacy.keys import Erased
from tests.e2e.http_helpers import assert_error, wallet
from tests.integration.audit_helpers import export_to, verified

ZELDA = {"name": "Zelda Quartermain", "email": "zelda.q@example.org",
         "dateOfBirth": "1990-04-01", "country": "MT", "address": "12 Xylophone Lane"}
OTTO = {"name": "Otto Brightwater", "email": "otto.b@example.org",
        "dateOfBirth": "1985-12-24", "country": "DE", "address": "7 Juniper Court"}
CLEAR = [b"Quartermain", b"zelda.q@example.org", b"Xylophone", b"Brightwater",
         b"otto.b@example.org", b"Juniper"]


def stored_bytes(services, database_url: str) -> bytes:
    """Everything the database holds: the SQLite files, or every PostgreSQL table."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    schema = database_url.rsplit("schema=", 1)[1]
    with psycopg.connect(database_url.split("?")[0]) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,))]
        rows = [row for table in tables for row in conn.execute(sql.SQL(
            "SELECT * FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))]
    return b"\n".join(bytes(value) if isinstance(value, (bytes, memoryview))
                      else str(value).encode() for row in rows for value in row)


def test_an_erased_players_profile_is_gone_everywhere_but_the_money_holds(
        services, client, auth, finance, database_url, tmp_path, monkeypatch):
    compliance = auth(Role.COMPLIANCE, "comp-1")
    for player, profile in (("p1", ZELDA), ("p2", OTTO)):
        put = client.put(f"/v1/admin/players/{player}/profile", json=profile,
                         headers=compliance)
        assert put.status_code == 200, put.text
        assert client.put(f"/v1/admin/players/{player}/profile", json=profile,
                          headers=compliance).status_code == 200  # the same: no event
        assert client.post("/v1/admin/adjustments", headers=finance, json={
            "requestId": f"adj-{player}", "playerId": player, "currency": "USDT",
            "amount": "100", "balance": "cash", "reason": "welcome"}).status_code == 200
    p1 = auth(Role.PLAYER, "p1")
    read = client.get("/v1/players/p1/profile", headers=p1).json()
    assert read["erased"] is False and read["profile"] == ZELDA
    assert not any(text in stored_bytes(services, database_url) for text in CLEAR)

    erased = client.post("/v1/admin/players/p1/erasure", json={"reason": "GDPR art. 17"},
                         headers=compliance)
    assert erased.status_code == 200 and erased.json()["erased"] is True
    assert client.post("/v1/admin/players/p1/erasure", json={"reason": "GDPR art. 17"},
                       headers=auth(Role.OPERATOR, "ops-1")).status_code == 403
    services.projections.catch_up()
    monkeypatch.setenv("CASINO_LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASINO_LEDGER_SECRET", services.settings.secret)
    ran = CliRunner().invoke(cli, ["players", "erase", "p2", "--reason", "GDPR"])
    assert ran.exit_code == 0, ran.output

    for player in ("p1", "p2"):
        after = client.get(f"/v1/players/{player}/profile",
                           headers=auth(Role.COMPLIANCE, "c")).json()
        assert after["erased"] is True and after["profile"] is None
        assert_error(client.put(f"/v1/admin/players/{player}/profile", json=ZELDA,
                                headers=compliance), 409, "conflict", "erased")
        try:
            services.privacy.keys.key_of(player)
            raise AssertionError("the data key survived")
        except Erased:
            pass
        assert wallet(client, auth(Role.PLAYER, player), player)["cash"] == 100
    services.projections.catch_up()
    assert all(total == 0 for total in services.journal.trial_balance().values())
    assert replay(services.projections).verdict == "equal"
    path = export_to(services, tmp_path / "all.jsonl")
    report = verified(services, path)
    assert report.ok, report.problems
    text = path.read_bytes()
    names = [json.loads(line).get("name") for line in text.splitlines()[:-1]]
    assert names.count("profile.erased") == 2 and names.count("profile.recorded") == 2
    assert not any(clear in text for clear in CLEAR)
    stored = stored_bytes(services, database_url)
    assert b"GDPR art. 17" in stored  # the log's own text is there to be found
    assert not any(clear in stored for clear in CLEAR)
