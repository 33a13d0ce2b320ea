"""Brands on SQLite and PostgreSQL: each brand's configuration over the defaults
applies to its players' bets, rakeback and cashback; every event names its brand."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from api.config.business import ConfigError
from domain.betting.model import Bet
from domain.brands.commands import RegisterPlayer
from domain.brands.model import brand_of
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.periods import Period
from domain.players.model import BetRejected
from domain.rakeback.model import rakeback_key
from tests.factories import (
    add_game,
    caught_up,
    config_file,
    credit,
    fresh_services,
    place_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
NOVA = """
[bets]
max_stake = { USDT = "1000" }
[brands.nova]
company = "stellar"
bets = { max_stake = { USDT = "500" } }
rakeback = { loyalty = { Silver = "0.8" } }
[brands.nova.cashback.programs.vip.tiers.silver]
percent = "20"
"""


@pytest.fixture
def ledger(database_url, tmp_path, frozen_clock):
    """pn of brand nova and pd of the default brand, both Silver, each losing
    2 x 500 USDT on a 99% RTP game in week 2026-W03."""
    services = fresh_services(database_url, config=config_file(tmp_path, NOVA))
    add_game(services)
    services.ledger.execute(RegisterPlayer("pn", "nova"))
    for name in ("pn", "pd"):
        credit(services, name, "USDT", "10000")
        set_vip_level(services, name, "Silver")
        for _ in range(2):
            settle_bet(services, place_bet(services, name, "500").result.bet_id, "LOSS")
    yield caught_up(services)
    services.close()


def test_each_brand_bets_accrues_and_is_paid_cashback_by_its_own_rules(ledger, frozen_clock):
    with pytest.raises(BetRejected, match="maximum 500"):
        place_bet(ledger, "pn", "600")
    assert place_bet(ledger, "pd", "600").result.bet_id  # the default's limit is 1000
    accrued = {name: sum(e.basis["total"] for e in ledger.ledger.events.get(
        rakeback_key(name, "USDT")) if hasattr(e, "basis")) for name in ("pn", "pd")}
    assert accrued == {"pn": D(8), "pd": D(4)}  # GGR 10 x 0.8 (nova) and x 0.4
    frozen_clock.freeze(datetime(2026, 1, 19, 0, 1, tzinfo=timezone.utc))
    record = ledger.job_runner.run("cashback-vip", Period.parse("2026-W03")).result
    assert record.summary["paid"] == {"USDT": "300.000000"}  # 20% and 10% of 1000
    bonus = {name: ledger.ledger.wallet(name, "USDT").bonus for name in ("pn", "pd")}
    assert bonus == {"pn": D(200), "pd": D(100)}


def test_every_event_of_a_player_names_the_players_brand(ledger):
    notes = ledger.ledger.recorder.select_notifications(start=1, limit=10_000)
    events = [ledger.ledger.mapper.to_domain_event(n) for n in notes]
    for name, brand in (("pn", "nova"), ("pd", "default")):
        own = [e for e in events if getattr(e, "player_id", None) == name]
        assert len(own) > 10 and {brand_of(e) for e in own} == {brand}
    bets = [e for e in events if isinstance(e, Bet.Placed)]
    assert {brand_of(e) for e in bets} == {"nova", "default"}
    assert ledger.ledger.brand_of("pn") == "nova" and ledger.ledger.brand_of("pd") == "default"
    assert ledger.ledger.brand_of("nobody") is None


def test_a_brand_is_for_good_and_must_be_configured(ledger):
    assert ledger.ledger.execute(RegisterPlayer("pn", "nova")).replayed
    with pytest.raises(Conflict):
        ledger.ledger.execute(RegisterPlayer("pn", "default"))
    with pytest.raises(InvalidInput, match="not a configured brand"):
        ledger.ledger.execute(RegisterPlayer("px", "nowhere"))


@pytest.mark.parametrize("toml, problem", [
    ('[brands.default]\ncompany = "x"\n', "other than 'default'"),
    ('[brands.Nova]\ncompany = "x"\n', "lower-case"),
    ('[brands.nova]\ncompany = "x"\ncashier = {}\n', "platform's"),
    ('[brands.nova]\ncompany = "x"\ncurrencies = { DOGE = { precision = 8 } }\n',
     "platform's currencies"),
    ('[brands.nova]\ncompany = "x"\nbets = { max_stake = { USDT = 1.5 } }\n', "strings"),
    ('[brands.nova]\nbets = {}\n', "company"),
])
def test_a_brand_configuration_that_breaks_a_rule_is_refused_at_start(tmp_path, toml,
                                                                      problem):
    from api.config.business import load_config

    with pytest.raises(ConfigError, match=problem):
        load_config(config_file(tmp_path, toml))


def test_a_player_first_met_by_a_scoped_caller_is_decided_under_its_brands_rules(ledger):
    from domain.kernel.tracing import REQUEST_BRAND

    credit(ledger, "newcomer", "USDT", "1000")  # by the group: not registered
    token = REQUEST_BRAND.set("nova")
    try:
        with pytest.raises(BetRejected, match="maximum 500"):
            place_bet(ledger, "newcomer", "600")
        settle_bet(ledger, place_bet(ledger, "newcomer", "400").result.bet_id, "LOSS")
    finally:
        REQUEST_BRAND.reset(token)
    assert ledger.ledger.brand_of("newcomer") == "nova"


def test_the_cli_issues_a_token_scoped_to_a_configured_brand_only(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli.main import cli
    from api.http.auth import TokenIssuer

    secret = "cli-brand-secret-" + "0" * 32
    monkeypatch.setenv("CASINO_LEDGER_SECRET", secret)
    monkeypatch.setenv("CASINO_LEDGER_DATABASE_URL", f"sqlite:///{tmp_path}/l.sqlite3")
    monkeypatch.setenv("CASINO_LEDGER_CONFIG", str(config_file(tmp_path, NOVA)))
    ran = CliRunner().invoke(cli, ["token", "--role", "finance", "--subject", "f1",
                                   "--brand", "nova"])
    assert ran.exit_code == 0, ran.output
    assert TokenIssuer(secret).verify(ran.output.strip()).brand == "nova"
    refused = CliRunner().invoke(cli, ["token", "--role", "finance", "--subject", "f1",
                                       "--brand", "orbit"])
    assert refused.exit_code == 2 and "not a configured brand" in refused.output
