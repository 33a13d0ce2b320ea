"""The console's sign-in rules over HTTP, on both backends: password and TOTP,
a wrong and a replayed code, idle and absolute timeouts, CSRF, lock-out, and
every attempt recorded as an event of the staff account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.console.credentials import code_at
from api.console.settings import ConsoleSettings
from api.http.app import create_app
from domain.brands.commands import RegisterPlayer
from domain.kernel.public_events import public_event
from domain.staff.commands import Unlock
from domain.staff.model import staff_key
from tests.e2e.console_helpers import add_staff, csrf, enrol, sign_in
from tests.factories import config_file, fresh_services

SETTINGS = ConsoleSettings(idle_minutes=15, absolute_minutes=30, max_failures=4,
                           lock_minutes=10)


@pytest.fixture
def client(services, frozen_clock):
    app = create_app(services, console=SETTINGS)
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def names(services, name: str) -> list[str]:
    return [public_event(e).name for e in services.ledger.events.get(staff_key(name))]


def test_password_then_totp_signs_in_and_a_replayed_or_wrong_code_is_refused(
        client, services, frozen_clock):
    add_staff(services, "fin-alice", "finance")
    secret = enrol(client, "fin-alice")
    assert "fin-alice · finance" in client.get("/console/").text
    client.post("/console/sign-out", data={"csrf": csrf(client, "/console/")})
    assert client.get("/console/", follow_redirects=False).status_code == 401
    used = code_at(secret, frozen_clock.now())  # the enrolment's code
    replayed = sign_in(client, "fin-alice", used)
    assert replayed.status_code == 401 and "used already" in replayed.text
    wrong = sign_in(client, "fin-alice", "000000" if used != "000000" else "111111")
    assert wrong.status_code == 401 and "wrong name, password or code" in wrong.text
    bad_password = sign_in(client, "fin-alice", used, password="not the password")
    assert bad_password.status_code == 401
    frozen_clock.advance(timedelta(seconds=30))
    done = sign_in(client, "fin-alice", code_at(secret, frozen_clock.now()))
    assert done.status_code == 303 and done.headers["location"] == "/console/"
    assert client.get("/console/withdrawals").status_code == 200
    assert names(services, "fin-alice") == [
        "staff.added", "staff.totp_enrolled", "staff.signed_in", "staff.signed_out",
        "staff.sign_in_failed", "staff.sign_in_failed", "staff.sign_in_failed",
        "staff.signed_in"]
    failures = [public_event(e).payload["reason"] for e in
                services.ledger.events.get(staff_key("fin-alice"))
                if public_event(e).name == "staff.sign_in_failed"]
    assert failures == ["replayed code", "code", "password"]
    log = [public_event(e).payload for e in services.ledger.events.get(staff_key("fin-alice"))]
    assert not any(secret in str(p) or "correct horse" in str(p) for p in log)


def test_an_unknown_name_is_refused_like_a_wrong_password(client, services):
    refused = sign_in(client, "nobody")
    assert refused.status_code == 401 and "wrong name, password or code" in refused.text
    assert client.get("/console/", follow_redirects=False).status_code == 401


def test_sessions_end_when_idle_and_at_their_absolute_limit(client, services, frozen_clock):
    add_staff(services, "ops-bob", "operator")
    enrol(client, "ops-bob")
    frozen_clock.advance(timedelta(minutes=14))
    assert client.get("/console/jobs").status_code == 200  # and the idle timer restarts
    frozen_clock.advance(timedelta(minutes=14))
    assert client.get("/console/jobs").status_code == 200
    frozen_clock.advance(timedelta(minutes=3))  # 31 minutes after signing in
    ended = client.get("/console/jobs")
    assert ended.status_code == 401 and "time limit" in ended.text


def test_an_idle_session_ends(client, services, frozen_clock):
    add_staff(services, "ops-carol", "operator")
    enrol(client, "ops-carol")
    frozen_clock.advance(timedelta(minutes=15))
    ended = client.get("/console/jobs")
    assert ended.status_code == 401 and "timed out" in ended.text


def test_a_form_without_its_csrf_token_changes_nothing(client, services):
    add_staff(services, "fin-dave", "finance")
    form = {"request_id": "console-1", "currency": "BTC", "amount": "1",
            "balance": "cash", "reason": "goodwill"}
    assert client.post("/console/sign-in", data={"name": "fin-dave", "password": "x"},
                       follow_redirects=False).status_code == 403
    enrol(client, "fin-dave")
    head = services.projections.head()
    refused = client.post("/console/players/p1/adjust", data=form)
    assert refused.status_code == 403 and "security token" in refused.text
    forged = client.post("/console/players/p1/adjust", data=form | {"csrf": "0" * 64})
    assert forged.status_code == 403 and services.projections.head() == head
    done = client.post("/console/players/p1/adjust",
                       data=form | {"csrf": csrf(client, "/console/players")})
    assert done.status_code == 200 and "cash now 1" in done.text


def test_repeated_failures_lock_the_account_until_it_is_unlocked(
        client, services, frozen_clock):
    add_staff(services, "cmp-erin", "compliance")
    secret = enrol(client, "cmp-erin")
    client.post("/console/sign-out", data={"csrf": csrf(client, "/console/")})
    for _ in range(4):
        assert sign_in(client, "cmp-erin", password="guess-guess-guess").status_code == 401
    frozen_clock.advance(timedelta(seconds=30))
    locked = sign_in(client, "cmp-erin", code_at(secret, frozen_clock.now()))
    assert locked.status_code == 401 and "locked" in locked.text
    assert names(services, "cmp-erin")[-2:] == ["staff.locked", "staff.sign_in_failed"]
    frozen_clock.advance(timedelta(minutes=5))
    assert "locked" in sign_in(client, "cmp-erin", code_at(secret, frozen_clock.now())).text
    services.ledger.execute(Unlock("cmp-erin", actor="cli:admin"))  # `staff unlock`
    frozen_clock.advance(timedelta(seconds=30))
    done = sign_in(client, "cmp-erin", code_at(secret, frozen_clock.now()))
    assert done.status_code == 303
    assert names(services, "cmp-erin")[-2:] == ["staff.unlocked", "staff.signed_in"]


def test_each_role_opens_only_its_pages(client, services):
    add_staff(services, "reg-frank", "regulator")
    enrol(client, "reg-frank")
    assert client.get("/console/audit").status_code == 200
    for path in ("/console/withdrawals", "/console/players?id=p1", "/console/pnl",
                 "/console/jobs", "/console/treasury"):
        refused = client.get(path)
        assert refused.status_code == 403 and "may not open" in refused.text, path
    menu = client.get("/console/").text
    assert 'href="/console/audit"' in menu and 'href="/console/withdrawals"' not in menu
    head, token = services.projections.head(), csrf(client, "/console/audit")
    for path, form in (("/console/players/p1/adjust", {
            "request_id": "r-1", "currency": "BTC", "amount": "1", "balance": "cash",
            "reason": "x"}), ("/console/players/p1/limits", {"reason": "x"}),
            ("/console/jobs/run", {"job": "audit-checkpoint", "period": "2026-01-14"}),
            ("/console/audit/replay", {})):
        refused = client.post(path, data=form | {"csrf": token})
        assert refused.status_code == 403, path
    assert services.projections.head() == head


def test_bad_input_and_unknown_pages_answer_as_pages(client, services):
    add_staff(services, "fin-grace", "finance")
    enrol(client, "fin-grace")
    token = csrf(client, "/console/withdrawals")
    missing = client.post("/console/withdrawals/not-an-id/approve", data={"csrf": token})
    assert missing.status_code == 422 and "reason" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    unknown = client.post(f"/console/withdrawals/{'0' * 32}/approve",
                          data={"csrf": token, "reason": "checked"})
    assert unknown.status_code == 404 and "no withdrawal" in unknown.text
    assert client.get("/console/nowhere").status_code == 404
    assert client.get("/v1/admin/withdrawals").json()["error"]["code"] == "unauthorized"


def test_hostile_ids_in_console_forms_are_refused_and_change_nothing(client, services):
    add_staff(services, "ops-hank", "operator")
    enrol(client, "ops-hank")
    head, token = services.projections.head(), csrf(client, "/console/games")
    bad = "p1\x00<script>"
    refused = client.post("/console/games/configure", data={
        "csrf": token, "game_id": bad, "rtp": "97", "category": "x", "provider": "y"})
    assert refused.status_code == 422 and "gameId" in refused.text
    assert "<script>" not in refused.text
    for path, query in (("/console/cashback", "player"), ("/console/players", "id")):
        assert client.get(path, params={query: bad}).status_code == 422, path
    assert client.post("/console/jobs/run", data={
        "csrf": token, "job": bad, "period": "2026-01-14"}).status_code == 422
    assert services.projections.head() == head


def test_compliance_starts_a_verified_replay_and_reads_its_record(client, services):
    add_staff(services, "cmp-ivy", "compliance")
    enrol(client, "cmp-ivy")
    started = client.post("/console/audit/replay",
                          data={"csrf": csrf(client, "/console/audit")})
    assert started.status_code == 200, started.text
    request_id = re.search(r"Replay (console-\S+) is", started.text).group(1)
    services.replays.join()
    page = client.get("/console/audit", params={"replay": request_id})
    assert page.status_code == 200 and f"{request_id}: <strong>equal</strong>" in page.text
    assert "requested by cmp-ivy" in page.text


def test_staff_of_a_brand_read_only_their_brands_players(database_url, tmp_path):
    """A staff account scoped to a brand opens its brand's players and nothing of
    another brand's or the group's (docs/brands.md)."""
    config = config_file(tmp_path, '[brands.nova]\ncompany = "stellar"\n')
    services = fresh_services(database_url, config=config)
    try:
        services.ledger.execute(RegisterPlayer("p-nova", "nova"))
        services.ledger.execute(RegisterPlayer("p-home", "default"))
        add_staff(services, "ops-nova", "operator", brand="nova")
        with TestClient(create_app(services, console=SETTINGS),
                        base_url="https://testserver") as client:
            enrol(client, "ops-nova")
            assert client.get("/console/players?id=p-nova").status_code == 200
            assert client.get("/console/players?id=p-home").status_code == 404
            assert client.get("/console/players?id=p-nobody").status_code == 404
            for group_page in ("/console/withdrawals", "/console/pnl", "/console/jobs"):
                assert client.get(group_page).status_code == 403, group_page
    finally:
        services.close()
