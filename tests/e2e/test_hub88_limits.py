"""Hub88 amounts meet the currency's precision and the stake limits.

A currency with 2 decimals (CENTS, configured here) cannot hold 1/100,000 of a
unit: such an amount is RS_ERROR_WRONG_TYPES and changes nothing. The
maximum stake (bets.max_stake) is RS_ERROR_LIMIT_REACHED, as the daily loss
limit is.
"""

from __future__ import annotations

import pytest

from api.http.auth import Role
from tests.e2e.hub88_fixtures import GAME, USER, hub88, hub88_key, launch, with_hub88  # noqa: F401

CONFIG = """
[bets]
max_stake = { USDT = "1000", CENTS = "50" }

[currencies]
BTC = { precision = 8 }
ETH = { precision = 18 }
USDT = { precision = 6 }
USDC = { precision = 6 }
SOL = { precision = 9 }
BNB = { precision = 18 }
TRX = { precision = 6 }
CENTS = { precision = 2 }
"""


@pytest.fixture
def settings(settings, hub88_key, tmp_path):
    config = tmp_path / "cents.toml"
    config.write_text(CONFIG)
    return with_hub88(settings, hub88_key, tmp_path).model_copy(update={"config": config})


@pytest.fixture
def tokens(client, game, adjust, launch) -> dict[str, str]:
    game(GAME)
    adjust(playerId=USER, currency="CENTS", amount="100")
    adjust(playerId=USER, currency="USDT", amount="2000")
    return {"CENTS": launch(currency="CENTS"), "USDT": launch(currency="USDT")}


def bet(token: str, uuid: str, amount: int, currency: str) -> dict:
    return {"user": USER, "token": token, "transaction_uuid": uuid, "round": "r-1",
            "round_closed": False, "game_code": GAME, "currency": currency,
            "amount": amount}


def test_an_amount_finer_than_the_currency_is_wrong_types(hub88, tokens):
    refused = hub88("/transaction/bet", bet(tokens["CENTS"], "t-1", 100001, "CENTS"))
    assert (refused["status"], refused["balance"]) == ("RS_ERROR_WRONG_TYPES", 10_000_000)
    taken = hub88("/transaction/bet", bet(tokens["CENTS"], "t-2", 101000, "CENTS"))
    assert (taken["status"], taken["balance"]) == ("RS_OK", 10_000_000 - 101000)
    win = bet(tokens["CENTS"], "w-1", 1, "CENTS") | {"reference_transaction_uuid": "t-2"}
    assert hub88("/transaction/win", win)["status"] == "RS_ERROR_WRONG_TYPES"


def test_the_maximum_stake_and_the_daily_loss_limit_are_limits_reached(
        hub88, tokens, client, auth):
    over = hub88("/transaction/bet", bet(tokens["USDT"], "t-1", 1000 * 100000 + 1, "USDT"))
    assert (over["status"], over["balance"]) == ("RS_ERROR_LIMIT_REACHED", 2000 * 100000)
    limits = {"selfExcludedUntil": None, "dailyLossLimits": {"USDT": "50"},
              "reason": "player asked"}
    put = client.put(f"/v1/admin/players/{USER}/limits", json=limits,
                     headers=auth(Role.COMPLIANCE, "comp-carol"))
    assert put.status_code == 200, put.text
    assert hub88("/transaction/bet", bet(tokens["USDT"], "t-2", 40 * 100000, "USDT"))[
        "status"] == "RS_OK"
    limited = hub88("/transaction/bet", bet(tokens["USDT"], "t-3", 11 * 100000, "USDT"))
    assert (limited["status"], limited["balance"]) == ("RS_ERROR_LIMIT_REACHED",
                                                       1960 * 100000)
