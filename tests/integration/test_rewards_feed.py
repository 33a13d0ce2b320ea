"""The rewards feed on SQLite and PostgreSQL: every rakeback claim (double-or-nothing
won or lost), cashback credit, bonus outcome and manual adjustment a player
received, and nothing the ledger did not credit."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.auth import Role
from domain.kernel.periods import Period
from domain.rakeback.commands import ClaimRakeback, UnlockRakeback
from domain.rakeback.model import rakeback_key
from domain.wallet.model import Wallet, wallet_id
from tests.factories import (
    add_game,
    adjust,
    caught_up,
    credit,
    place_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
TAGS = {"RAKEBACK": "rakeback", "CASHBACK": "vip_cashback", "BONUS": "bonus",
        "ADJUSTMENT": "manual_adjustment"}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def lose(services, stake: str) -> None:
    settle_bet(services, place_bet(services, "p1", stake).result.bet_id, "LOSS")


def seed(services, *, wins: bool) -> str:
    account = services.ledger.repository.get(rakeback_key("p1", "USDT"))
    secret = services.ledger.rules.rakeback.flip_secret
    return next(s for s in (f"seed-{n}" for n in range(200))
                if account.next_flip(secret, s).won == wins)


def claim(services, bucket: str, period: str | None, *, wins: bool | None = None) -> None:
    if period:
        services.ledger.execute(UnlockRakeback("p1", "USDT", bucket, period))
    client_seed = "seed" if wins is None else seed(services, wins=wins)
    services.ledger.execute(ClaimRakeback(f"claim-{bucket}", "p1", bucket,
                                          wins is not None, client_seed))


def history(services, frozen_clock) -> None:
    add_game(services)
    credit(services, "p1", "USDT", "10000")
    set_vip_level(services, "p1", "Silver")
    lose(services, "500")
    lose(services, "500")
    caught_up(services)  # rakeback accrued: 4 USDT in all
    claim(services, "INSTANT", None)
    frozen_clock.freeze(at(2026, 1, 16, 0, 1))
    claim(services, "DAILY", "2026-01-15", wins=True)
    frozen_clock.freeze(at(2026, 1, 19, 0, 1))
    claim(services, "WEEKLY", "2026-W03", wins=False)
    services.job_runner.run("cashback-vip", Period.parse("2026-W03"))  # 100 as bonus, 1x
    lose(services, "100")  # wagering met: the bonus becomes cash
    adjust(services, "p1", "USDT", "25", reason="goodwill")
    adjust(services, "p1", "USDT", "-5", reason="correction")
    caught_up(services)


def test_the_feed_holds_every_reward_and_equals_the_ledgers_credits(services,
                                                                    frozen_clock):
    history(services, frozen_clock)
    feed = services.rewards.for_player("p1", None, 500)
    credits = [e for e in services.ledger.events.get(wallet_id("p1", "USDT"))
               if type(e) in (Wallet.Credited, Wallet.Debited) and e.tag in TAGS]
    paid = [r for r in feed if r["rewardType"] in TAGS.values() and r["amount"] != 0]
    signed = [(TAGS[e.tag], e.amount if type(e) is Wallet.Credited else -e.amount)
              for e in credits]
    assert Counter((r["rewardType"], r["amount"]) for r in paid) == Counter(signed)
    rakeback = [(r["source"], r["outcome"], r["amount"] > 0) for r in feed
                if r["rewardType"] == "rakeback"]
    assert rakeback == [("rakeback:INSTANT", None, True), ("rakeback:DAILY", "WON", True),
                        ("rakeback:WEEKLY", "LOST", False)]
    outcomes = {r["rewardType"]: r["amount"] for r in feed}
    assert outcomes["vip_cashback"] == D(100) and outcomes["bonus_wagering_met"] == D(100)
    assert [r["position"] for r in feed] == sorted(r["position"] for r in feed)

    with TestClient(create_app(services)) as client:
        token = services.tokens.issue(Role.PLAYER, "p1")
        page = client.get("/v1/players/p1/rewards?limit=3",
                          headers={"Authorization": f"Bearer {token}"}).json()
        assert [item["rewardType"] for item in page["items"]] == [
            r["rewardType"] for r in feed[:3]]
        assert [i["amount"] for i in page["items"][1:]] == ["0.400000", "1.600000"]
        rest = client.get(f"/v1/players/p1/rewards?cursor={page['nextCursor']}",
                          headers={"Authorization": f"Bearer {token}"}).json()
        assert len(page["items"]) + len(rest["items"]) == len(feed)
