"""The console in a real Chromium (Debian's, driven by Playwright) over a real
server and a real history: sign-in with password and TOTP, enrolment with a
QR code, player 360, four-eyes approval, rejection, an adjustment, a
self-exclusion, P&L, an export download, and each role refused the others' pages.

One server and one browser for the module, on SQLite (the sign-in rules run on
both backends in test_console_sign_in.py). Each staff member signs in once, in
a browser context of their own, reused by the tests after. With
CASINO_LEDGER_CONSOLE_SCREENSHOTS=docs/console the tests save the screenshots
that docs/console.md shows.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from eth_account import Account

from pydantic import SecretStr

from api.config.settings import Settings
from api.console.credentials import code_at
from api.console.settings import ConsoleSettings
from api.http.app import create_app
from api.http.auth import Role
from domain.audit.export_verify import verify_export
from domain.kernel.clock import clock
from tests.cashier_chains import evm_services
from tests.chains.evm import EthTesterEvm
from tests.conftest import TEST_SECRET
from tests.e2e.conftest import PROVIDER_SECRETS, sign
from tests.e2e.console_helpers import PASSWORD, add_staff, enrolled

pytestmark = pytest.mark.xdist_group("console-browser")
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = os.environ.get("CASINO_LEDGER_CONSOLE_SCREENSHOTS")
STAFF = {"fin-alice": "finance", "fin-bob": "finance", "cmp-carol": "compliance",
         "ops-frank": "operator", "reg-erin": "regulator"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live server over a history: games, money, bets, and withdrawals."""
    tmp = tmp_path_factory.mktemp("console")
    evm = EthTesterEvm()
    settings = Settings(database_url=f"sqlite:///{tmp}/ledger.sqlite3", secret=TEST_SECRET,
                        provider_secrets={k: SecretStr(v) for k, v in PROVIDER_SECRETS.items()})
    services = evm_services(settings, tmp, evm, hot_eth="0")
    port = free_port()
    app = create_app(services, console=ConsoleSettings())
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    while not web.started:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    http = httpx.Client(base_url=base)
    history = build_history(http, services)
    secrets = {name: enrolled(services, name, role) for name, role in STAFF.items()}
    add_staff(services, "ops-dave", "operator")  # enrols in the browser
    yield {"base": base, "services": services, "secrets": secrets, **history}
    http.close()
    web.should_exit = True
    thread.join(10)
    services.close()
    evm.close()


def build_history(http: httpx.Client, services) -> dict:
    def auth(role: Role, subject: str) -> dict:
        return {"Authorization": f"Bearer {services.tokens.issue(role, subject)}"}

    def signed(path: str, body: dict) -> dict:
        raw = json.dumps(body).encode()
        sent = http.post(path, content=raw, headers=auth(Role.PROVIDER, "acme") | {
            "Content-Type": "application/json",
            "X-Casino-Signature": sign(PROVIDER_SECRETS["acme"], raw)})
        assert sent.status_code == 200, sent.text
        return sent.json()

    # Five days of play, ending now (the ledger's clock moves forward only).
    clock.freeze(clock.now() - timedelta(days=5))
    try:
        operator, finance = auth(Role.OPERATOR, "ops-api"), auth(Role.FINANCE, "fin-api")
        for game, rtp, provider in (("slot-99", "99", "pragmatic"),
                                    ("roulette", "97.3", "evolution")):
            http.put(f"/v1/admin/games/{game}", headers=operator, json={
                "rtp": rtp, "category": "slots", "provider": provider,
                "houseGame": False}).raise_for_status()
        for number, (player, currency, amount) in enumerate(
                (("p1", "USDT", "1000"), ("p2", "USDT", "500"), ("p1", "ETH", "50"))):
            http.post("/v1/admin/adjustments", headers=finance, json={
                "requestId": f"seed-{number}", "playerId": player, "currency": currency,
                "amount": amount, "balance": "cash", "reason": "opening balance"}
                ).raise_for_status()
        for number in range(12):
            clock.advance(timedelta(hours=10))
            player, game = ("p1", "p2")[number % 2], ("slot-99", "roulette")[number % 3 // 2]
            placed = signed("/v1/bets/place", {
                "requestId": f"b-{number}", "playerId": player, "gameId": game,
                "roundId": f"r-{number}", "stake": {"amount": "20", "currency": "USDT"}})
            assert placed["status"] == "ACCEPTED", placed
            outcome, payout = ("WIN", "30") if number % 4 == 1 else ("LOSS", "0")
            signed("/v1/rounds/settle", {
                "requestId": f"s-{number}", "roundId": f"r-{number}",
                "bets": [{"betId": placed["betId"], "outcome": outcome, "payout": payout}]})
    finally:
        clock.resume()
    withdrawals = {}
    for request_id, amount in (("big", "40"), ("small", "5")):
        made = http.post("/v1/players/p1/withdrawals", headers=auth(Role.PLAYER, "p1"),
                         json={"requestId": request_id, "currency": "ETH",
                               "amount": amount, "destination": Account.create().address})
        assert made.status_code == 200, made.text
        withdrawals[request_id] = made.json()["id"]
    return {"withdrawals": withdrawals, "signed": signed, "auth": auth}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing: .ci/run installs it")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def staff(server, browser):
    """A signed-in page per staff member (password and TOTP code), made on first use."""
    pages = {}

    def page_of(name: str):
        if name not in pages:
            context = browser.new_context(base_url=server["base"],
                                          viewport={"width": 1280, "height": 860},
                                          accept_downloads=True)
            page = context.new_page()
            page.goto("/console/")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", PASSWORD)
            page.fill("input[name=code]", code_at(server["secrets"][name], clock.now()))
            page.click("button:has-text('Sign in')")
            page.wait_for_url("**/console/")
            pages[name] = page
        return pages[name]

    yield page_of
    for page in pages.values():
        page.context.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_first_sign_in_enrols_the_second_factor_from_a_qr_code(server, browser):
    context = browser.new_context(base_url=server["base"])
    page = context.new_page()
    page.goto("/console/players")
    page.fill("input[name=name]", "ops-dave")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/console/enrol")
    assert page.locator(".qr svg").count() == 1
    shot(page, "enrol")
    secret = page.inner_text("#totp-secret")
    page.fill("input[name=code]", "000000" if code_at(secret, clock.now()) != "000000"
              else "111111")
    page.click("button:has-text('Confirm')")
    assert "does not match" in page.inner_text("[role=alert]")
    page.fill("input[name=code]", code_at(secret, clock.now()))
    page.click("button:has-text('Confirm')")
    page.wait_for_url("**/console/")
    assert "ops-dave · operator" in page.inner_text("header")
    context.close()


def test_finance_signs_in_and_finds_a_player(server, staff):
    page = staff("fin-alice")
    assert "fin-alice · finance" in page.inner_text("header")
    shot(page, "home")
    page.click("nav >> text=Players")
    page.fill("input[name=id]", "p1")
    page.click("button:has-text('Find')")
    balances = page.inner_text("#balances")
    assert "USDT" in balances and "ETH" in balances
    assert "slot-99" in page.inner_text("#bets")
    first = page.inner_text("#ledger tbody")
    shot(page, "player")
    page.click("#ledger a[rel=next]")  # 20 entries a page, newest first
    page.wait_for_url("**ledger=*")
    assert page.inner_text("#ledger tbody") != first
    assert page.locator("#ledger a:has-text('first page')").count() == 1
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, upright
    # Wide tables scroll inside their cards; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "player-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})


def decide(page, withdrawal: str, action: str, reason: str) -> str:
    """Decide a withdrawal from the queue; the fragment the row shows after."""
    page.goto("/console/withdrawals")
    row = page.locator(f"#w-{withdrawal}")
    row.locator("input[name=reason]").fill(reason)
    row.locator(f"button:has-text('{action}')").click()
    page.locator(f"#result-{withdrawal} .result").wait_for()
    return page.inner_text(f"#result-{withdrawal}")


def test_four_eyes_approval_by_two_finance_users(server, staff):
    big = server["withdrawals"]["big"]
    alice = staff("fin-alice")
    alice.goto("/console/withdrawals")
    shot(alice, "withdrawals")
    shown = decide(alice, big, "Approve", "source of funds checked")
    assert "approvals fin-alice of 2 needed" in shown
    again = decide(alice, big, "Approve", "once more")
    assert "conflict" in again and "already approved" in again
    bob = staff("fin-bob")
    assert "approve: queued" in decide(bob, big, "Approve", "second pair of eyes")
    bob.goto("/console/withdrawals?status=queued")
    assert bob.locator(f"#w-{big}").count() == 1


def test_finance_rejects_a_withdrawal(server, staff):
    small = server["withdrawals"]["small"]
    shown = decide(staff("fin-bob"), small, "Reject", "destination not verified")
    assert "reject: rejected" in shown


def test_finance_adjusts_a_balance_as_themselves(server, staff):
    page = staff("fin-alice")
    page.goto("/console/players?id=p2")
    form = page.locator("#adjust form")
    form.locator("input[name=currency]").fill("USDT")
    form.locator("input[name=amount]").fill("25")
    form.locator("input[name=reason]").fill("goodwill after an outage")
    form.locator("button").click()
    page.locator("#adjust-result .result.ok").wait_for()
    assert "cash now" in page.inner_text("#adjust-result")
    entries = server["services"].adjustment_log.page(player_id="p2", limit=1)
    assert entries[0]["actor"] == "fin-alice"


def test_compliance_sets_a_self_exclusion_and_bets_are_refused(server, staff):
    page = staff("cmp-carol")
    page.goto("/console/players?id=p2")
    assert page.locator("#adjust").count() == 0  # finance's, not compliance's
    form = page.locator("#limits form")
    form.locator("input[name=self_excluded_until]").fill("2030-01-01T00:00")
    form.locator("input[name=reason]").fill("player asked for a break")
    form.locator("button").click()
    page.locator("#limits-result .result.ok").wait_for()
    assert "2030-01-01" in page.inner_text("#limits-result")
    page.reload()
    assert "2030-01-01" in page.inner_text("#self-excluded")
    shot(page, "limits")
    refused = server["signed"]("/v1/bets/place", {
        "requestId": "b-excluded", "playerId": "p2", "gameId": "slot-99",
        "roundId": "r-excluded", "stake": {"amount": "1", "currency": "USDT"}})
    assert refused["reason"] == "SELF_EXCLUDED"


def test_operator_reads_pnl_as_tables_and_a_chart(server, staff):
    page = staff("ops-frank")
    page.goto("/console/pnl")
    games = page.inner_text("#pnl-gameId")
    assert "slot-99" in games and "roulette" in games
    assert page.locator("svg.chart").count() == 3  # GGR and NGR per day, GGR per game
    assert page.locator("svg.chart rect").count() >= 2
    shot(page, "pnl")


def test_operator_runs_a_job_for_an_ended_period_and_reads_cashback(server, staff):
    page = staff("ops-frank")
    page.goto("/console/jobs")
    page.select_option("select[name=job]", "cashback-vip")
    week = (clock.now() - timedelta(days=7)).strftime("%G-W%V")
    page.fill("input[name=period]", week)
    page.click("button:has-text('Run now')")
    page.locator("#job-result .result.ok").wait_for()
    assert f"cashback-vip {week}: succeeded" in page.inner_text("#job-result")
    page.reload()
    assert "ops-frank" in page.inner_text("table")  # the run's actor
    shot(page, "jobs")
    page.fill("input[name=period]", "2999-01")
    page.click("button:has-text('Run now')")
    page.locator("#job-result .result.error").wait_for()
    page.goto("/console/cashback")
    assert page.locator("h3:has-text('vip')").count() == 1  # the default program
    shot(page, "cashback")


def test_operator_configures_a_game_and_finance_sets_a_rate(server, staff):
    page = staff("ops-frank")
    page.goto("/console/games?game=slot-99")
    assert "RTP 99" in page.inner_text("#games")
    form = page.locator("#games form[hx-post]")
    form.locator("input[name=game_id]").fill("crash-1")
    form.locator("input[name=rtp]").fill("97")
    form.locator("input[name=category]").fill("crash")
    form.locator("input[name=provider]").fill("spribe")
    form.locator("button").click()
    page.locator("#game-result .result.ok").wait_for()
    assert "crash-1: RTP 97" in page.inner_text("#game-result")
    assert page.locator("#fx form").count() == 0  # finance's
    alice = staff("fin-alice")
    alice.goto("/console/games")
    assert alice.locator("#games").count() == 0  # the operator's
    alice.fill("#fx input[name=currency]", "ETH")
    alice.fill("#fx input[name=rate]", "-1")
    alice.click("#fx button")
    alice.locator("#fx-result .result.error").wait_for()
    alice.fill("#fx input[name=rate]", "3100")
    alice.click("#fx button")
    alice.locator("#fx-result .result.ok").wait_for()
    assert "ETH is now 3100" in alice.inner_text("#fx-result")


def test_finance_checks_the_hot_wallet_and_reconciles(server, staff):
    page = staff("fin-alice")
    page.goto("/console/treasury")
    page.click("button:has-text('Check now')")
    page.locator("#treasury-result .result.ok").wait_for()
    assert "ETH low" in page.inner_text("#treasury-result")  # an empty hot wallet
    page.click("button:has-text('Reconcile now')")
    page.locator("#treasury-result .result.ok:has-text('Reconciled')").wait_for()
    page.reload()
    assert page.locator("#reconciliation tbody tr").count() >= 1
    assert page.locator("tr.bad").count() >= 1  # the low hot wallet is marked
    shot(page, "treasury")


def test_regulator_downloads_a_verifiable_export(server, staff, tmp_path):
    page = staff("reg-erin")
    page.goto("/console/audit")
    with page.expect_download() as download:
        page.click("#download")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    report = verify_export(path, server["services"].audit_signer.public)
    assert report.ok, report.problems
    assert path.read_text().count("\n") > 20
    page.fill("#as-of input[name=player]", "p2")
    page.fill("#as-of input[name=at]", clock.now().strftime("%Y-%m-%dT%H:%M:%S"))
    page.click("button:has-text('Replay balances')")
    assert "USDT" in page.inner_text("#as-of table")
    shot(page, "audit")


def test_each_role_is_refused_the_pages_of_others(server, staff):
    erin = staff("reg-erin")
    assert [a.inner_text() for a in erin.locator("nav a").all()] == ["Audit"]
    for path in ("/console/withdrawals", "/console/players?id=p1", "/console/pnl"):
        erin.goto(path)
        assert "may not open" in erin.inner_text("[role=alert]"), path
    carol = staff("cmp-carol")
    carol.goto("/console/jobs")
    assert "may not open" in carol.inner_text("[role=alert]")
    alice = staff("fin-alice")
    alice.goto("/console/audit")
    assert "may not open" in alice.inner_text("[role=alert]")
