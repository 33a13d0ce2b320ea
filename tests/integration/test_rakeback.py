"""Rakeback on SQLite and PostgreSQL: accrual, unlocks, policies, claims, flips, the books.

Bets are placed and lost through the ledger; accrual runs either through the
accrual follower (`caught_up`) or by executing AccrueRakeback keyed by the bet,
as the follower does. Unlocks run as the scheduler runs them: at a boundary,
each bucket's period that just ended. The clock starts frozen at Thursday
2026-01-15 12:00 UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from eventsourcing.application import AggregateNotFoundError

from api.bootstrap import Services, bootstrap
from api.config.settings import Settings
from domain.wallet.commands import Adjust
from domain.betting.commands import BetOutcome, PlaceBet, SettleRound
from domain.kernel.clock import clock
from domain.commanding.runner import Outcome
from domain.kernel.errors import Conflict, InvalidInput
from domain.rakeback.flip import Flip
from domain.betting.games import ConfigureGame
from domain.players.commands import SetVipLevel
from domain.rakeback.model import PERIOD_KIND, RakebackAccount, rakeback_key
from domain.rakeback.commands import AccrueRakeback, ClaimRakeback, UnlockRakeback
from domain.rules import DEFAULT_LOYALTY, DEFAULT_SPLIT
from domain.kernel.periods import Period
from tests.factories import (
    add_game,
    all_entries,
    backend_url,
    caught_up,
    config_file,
    credit,
    fresh_services,
    in_threads,
    place_bet,
    postgres_url,
    refund_bet,
    roll_back_bet,
    set_vip_level,
    settle_bet,
)

D = Decimal
UTC = timezone.utc
PLAYER = "p1"
PROVIDER_GAME = "slot-99"
WORKED = {"INSTANT": (D(0), D("0.5")), "DAILY": (D(1), D(0)), "WEEKLY": (D("1.5"), D(0)),
          "MONTHLY": (D(2), D(0))}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Fixtures and helpers.

@pytest.fixture
def ledger(services: Services, frozen_clock) -> Services:
    """The backend's ledger with a 99% house game and a 99% provider game."""
    add_game(services)
    add_game(services, PROVIDER_GAME, house_game=False)
    return services


@pytest.fixture
def make_ledger(backend, request, tmp_path_factory, frozen_clock):
    """Ledgers on the test's backend with a business configuration of their own."""
    built: list[Services] = []

    def make(toml: str) -> Services:
        config = config_file(tmp_path_factory.mktemp("config"), toml)
        services = fresh_services(backend_url(backend, request, tmp_path_factory),
                                  config=config)
        built.append(services)
        add_game(services)
        add_game(services, PROVIDER_GAME, house_game=False)
        return services

    yield make
    for services in built:
        services.close()


def player(services: Services, name: str = PLAYER, level: str = "Gold",
           funds: dict[str, str] | None = None) -> None:
    for currency, amount in (funds or {"USDT": "100000"}).items():
        credit(services, name, currency, amount)
    if level != "Wood":
        set_vip_level(services, name, level)


def lost_bet(services: Services, stake: str, currency: str = "USDT", *,
             name: str = PLAYER, game: str = "dice-99") -> str:
    bet_id = place_bet(services, name, stake, currency, game=game).result.bet_id
    settle_bet(services, bet_id, "LOSS")
    return bet_id


def accrue(services: Services, bet_id: str) -> Outcome:
    """As the accrual follower does it: keyed by the bet, so at most once."""
    return services.ledger.execute(AccrueRakeback(bet_id, bet_id))


def account_of(services: Services, name: str = PLAYER,
               currency: str = "USDT") -> RakebackAccount | None:
    try:
        return services.ledger.repository.get(rakeback_key(name, currency))
    except AggregateNotFoundError:
        return None


def buckets(services: Services, name: str = PLAYER,
            currency: str = "USDT") -> dict[str, tuple[Decimal, Decimal]]:
    """(accumulated, claimable) of each bucket (INSTANT never accumulates)."""
    account = account_of(services, name, currency)
    if account is None:
        return {bucket: (D(0), D(0)) for bucket in WORKED}
    return {"INSTANT": (D(0), account.claimable["INSTANT"])} | {
        bucket: (account.accumulated(bucket), account.claimable[bucket])
        for bucket in PERIOD_KIND}


def unlock(services: Services, bucket: str, period: str, *, name: str = PLAYER,
           currency: str = "USDT") -> Outcome:
    return services.ledger.execute(UnlockRakeback(name, currency, bucket, period))


def unlock_ended(services: Services, *, name: str = PLAYER, currency: str = "USDT") -> None:
    """What the scheduler does at clock.now(): unlock each bucket's latest ended period."""
    for bucket, kind in PERIOD_KIND.items():
        unlock(services, bucket, str(Period.containing(kind, clock.now()).previous()),
               name=name, currency=currency)


def claim(services: Services, bucket: str, *, double: bool = False,
          request_id: str | None = None, client_seed: str = "seed",
          name: str = PLAYER) -> Outcome:
    request_id = request_id or f"claim-{bucket}-{services.ledger.head()}"
    return services.ledger.execute(ClaimRakeback(request_id, name, bucket, double,
                                                 client_seed))


def seed_that(services: Services, *, wins: bool, currency: str = "USDT") -> str:
    """A client seed whose next flip on the account wins (or loses)."""
    account = account_of(services, currency=currency)
    secret = services.ledger.rules.rakeback.flip_secret
    return next(seed for seed in (f"seed-{n}" for n in range(200))
                if account.next_flip(secret, seed).won == wins)


def events_of(services: Services, name: str = PLAYER, currency: str = "USDT",
              kind: type | None = None) -> list[Any]:
    found = services.ledger.events.get(rakeback_key(name, currency))
    return [e for e in found if kind is None or isinstance(e, kind)]


# Accrual.

def test_gold_player_loses_1000_at_99_rtp(ledger):
    player(ledger)
    bet_id = lost_bet(ledger, "1000")

    caught_up(ledger)  # the accrual follower
    head = ledger.ledger.head()
    again = accrue(ledger, bet_id)  # the same bet again: nothing more

    assert buckets(ledger) == WORKED
    assert again.replayed and again.result.accrued == D(5)
    assert ledger.ledger.head() == head
    [accrued] = events_of(ledger, kind=RakebackAccount.Accrued)
    assert {k: accrued.basis[k] for k in ("ggr", "level", "percent", "total")} == {
        "ggr": D(10), "level": "Gold", "percent": D("0.5"), "total": D(5)}
    assert accrued.periods == {"DAILY": "2026-01-15", "WEEKLY": "2026-W03",
                               "MONTHLY": "2026-01"}


RTPS = ("99", "96.5", "97.31", "100")


@pytest.mark.parametrize("currency, stake", [
    ("BTC", "0.12345679"), ("USDT", "123.456789"), ("ETH", "1.234567890123456789")])
def test_every_level_and_rtp_accrues_parts_that_sum_exactly_to_the_total(
        ledger, currency, stake):
    quantum = ledger.ledger.currencies.get(currency).quantum
    for rtp in RTPS:
        add_game(ledger, f"game-{rtp}", rtp=rtp)
    for level, percent in DEFAULT_LOYALTY.items():
        for rtp in RTPS:
            name = f"{level}-{rtp}"
            player(ledger, name, level, funds={currency: "1000"})
            bet_id = lost_bet(ledger, stake, currency, name=name, game=f"game-{rtp}")
            head = ledger.ledger.head()

            total = accrue(ledger, bet_id).result.accrued

            exact = D(stake) * (100 - D(rtp)) / 100 * percent
            assert total == exact.quantize(quantum, rounding=ROUND_DOWN), name
            if total == 0:  # RTP 100, Wood: nothing is appended, no account opens
                assert ledger.ledger.head() == head and account_of(ledger, name,
                                                                   currency) is None
                continue
            parts = {bucket: held[0] + held[1]
                     for bucket, held in buckets(ledger, name, currency).items()}
            assert sum(parts.values()) == total, name
            for bucket, part in parts.items():
                share = (total * DEFAULT_SPLIT[bucket]).quantize(quantum, ROUND_DOWN)
                assert share <= part <= share + quantum, (name, bucket, part)


# Unlocks at the period boundaries.

def test_a_sunday_accrual_unlocks_daily_at_midnight_and_weekly_on_monday(ledger):
    player(ledger)
    clock.freeze(at(2026, 1, 18, 23, 30))  # Sunday, ISO week 3
    accrue(ledger, lost_bet(ledger, "1000"))

    clock.freeze(at(2026, 1, 19))  # Monday 00:00
    unlock_ended(ledger)

    assert buckets(ledger) == {"INSTANT": (0, D("0.5")), "DAILY": (0, 1),
                               "WEEKLY": (0, D("1.5")), "MONTHLY": (2, 0)}


def test_jan_31_to_feb_1_unlocks_the_day_and_the_month_but_not_the_week(ledger):
    player(ledger)
    clock.freeze(at(2026, 1, 31, 23, 30))  # Saturday, ISO week 5 (Jan 26 - Feb 1)
    accrue(ledger, lost_bet(ledger, "1000"))

    clock.freeze(at(2026, 2, 1))
    unlock_ended(ledger)
    assert buckets(ledger) == {"INSTANT": (0, D("0.5")), "DAILY": (0, 1),
                               "WEEKLY": (D("1.5"), 0), "MONTHLY": (0, 2)}

    clock.freeze(at(2026, 2, 1, 0, 30))  # February, still ISO week 5
    claim(ledger, "DAILY")
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2026, 2, 2))  # Monday: the day and the week end
    unlock_ended(ledger)

    assert buckets(ledger) == {"INSTANT": (0, 1), "DAILY": (0, 1), "WEEKLY": (0, 3),
                               "MONTHLY": (2, 2)}


def test_iso_week_53_spans_the_year_end_and_unlocks_on_the_first_monday(ledger):
    player(ledger)
    clock.freeze(at(2026, 12, 31, 12))  # Thursday, 2026-W53
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2027, 1, 1))
    unlock_ended(ledger)  # the day and December end; the week does not
    claim(ledger, "DAILY")

    clock.freeze(at(2027, 1, 1, 6))  # 2027-01-01, still 2026-W53
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2027, 1, 4))
    unlock_ended(ledger)

    assert buckets(ledger) == {"INSTANT": (0, 1), "DAILY": (0, 1), "WEEKLY": (0, 3),
                               "MONTHLY": (2, 2)}
    assert [e.period for e in events_of(ledger, kind=RakebackAccount.Unlocked)
            if e.bucket == "WEEKLY"] == ["2026-W53"]


def test_a_double_fired_or_late_unlock_changes_nothing(ledger):
    player(ledger)
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2026, 1, 16, 12))
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2026, 1, 17))

    unlock(ledger, "DAILY", "2026-01-16")  # the 15th's unlock was missed: both days
    head, before = ledger.ledger.head(), buckets(ledger)
    twice = unlock(ledger, "DAILY", "2026-01-16")
    late = unlock(ledger, "DAILY", "2026-01-15")

    assert before["DAILY"] == (0, 2)
    assert twice.replayed and late.replayed
    assert (ledger.ledger.head(), buckets(ledger)) == (head, before)


def test_the_scheduled_unlock_job_unlocks_every_account_once(ledger):
    for name in ("p1", "p2"):
        player(ledger, name)
        lost_bet(ledger, "1000", name=name)
    caught_up(ledger)
    clock.freeze(at(2026, 1, 16, 0, 1))

    for _ in range(2):
        ledger.job_runner.run("rakeback-unlock-daily", Period.parse("2026-01-15"),
                              actor="ops-test")

    assert [buckets(ledger, name)["DAILY"] for name in ("p1", "p2")] == [(0, 1), (0, 1)]
    assert len(events_of(ledger, kind=RakebackAccount.Unlocked)) == 1


def test_an_unlock_with_a_period_of_another_kind_is_refused(ledger):
    player(ledger)
    accrue(ledger, lost_bet(ledger, "1000"))

    with pytest.raises(InvalidInput):
        unlock(ledger, "DAILY", "2026-W03")


# Policies and switches (configuration).

@pytest.mark.parametrize("policy, claimable, forfeited", [
    ("forfeit", [1, 1, 0], [0, 1, 1]),
    ("carry", [1, 2, 2], [0, 0])])  # a carry with nothing new records nothing
def test_unclaimed_rakeback_is_forfeited_or_carried_at_the_next_unlock(
        make_ledger, policy, claimable, forfeited):
    ledger = make_ledger(f'[rakeback]\nunclaimed = "{policy}"\n')
    player(ledger)
    seen = []
    for day in (15, 16, 17):
        if day < 17:
            clock.freeze(at(2026, 1, day, 12))
            accrue(ledger, lost_bet(ledger, "1000"))
        clock.freeze(at(2026, 1, day + 1))
        unlock(ledger, "DAILY", f"2026-01-{day}")
        seen.append(buckets(ledger)["DAILY"][1])

    assert seen == [D(n) for n in claimable]
    assert [e.amount for e in events_of(ledger, kind=RakebackAccount.Forfeited)] == [
        D(n) for n in forfeited if n]
    [row] = caught_up(ledger).rakeback.rows(player_id=PLAYER)
    assert row["dailyClaimable"] == seen[-1]


@pytest.mark.parametrize("toml, provider_total", [
    ("", "5"),
    ("[rakeback]\nprovider_commission = true\n", "4.25"),
    ('[rakeback]\nprovider_commission = true\nprovider_commission_rate = "0.2"\n', "4")])
def test_provider_commission_switch(make_ledger, toml, provider_total):
    ledger = make_ledger(toml)
    player(ledger)

    house = accrue(ledger, lost_bet(ledger, "1000")).result.accrued
    provider = accrue(ledger, lost_bet(ledger, "1000", game=PROVIDER_GAME)).result.accrued

    assert (house, provider) == (D(5), D(provider_total))


@pytest.mark.parametrize("switch, kept", [(False, 3), (True, 1)],
                         ids=["clawback-off", "clawback-on"])
def test_a_refund_claws_rakeback_back_only_with_the_switch(make_ledger, switch, kept):
    ledger = make_ledger(f"[rakeback]\nrefund_clawback = {str(switch).lower()}\n")
    player(ledger)
    lost_bet(ledger, "1000")
    refunded = lost_bet(ledger, "2000")
    caught_up(ledger)  # both accrue

    refund_bet(ledger, refunded)
    caught_up(ledger)

    assert buckets(ledger) == {b: (acc * kept, held * kept) for b, (acc, held) in WORKED.items()}


def test_a_clawback_takes_back_only_what_is_still_unclaimed(make_ledger):
    ledger = make_ledger("[rakeback]\nrefund_clawback = true\n")
    player(ledger)
    bet_id = lost_bet(ledger, "1000")
    caught_up(ledger)
    claim(ledger, "INSTANT")  # 0.5 paid: it stays paid

    refund_bet(ledger, bet_id)
    caught_up(ledger)

    assert buckets(ledger) == {b: (0, 0) for b in WORKED}
    [clawed] = events_of(ledger, kind=RakebackAccount.ClawedBack)
    assert clawed.parts == {"INSTANT": 0, "DAILY": 1, "WEEKLY": D("1.5"), "MONTHLY": 2}


def test_a_bet_rolled_back_and_settled_again_accrues_once(make_ledger):
    ledger = make_ledger("[rakeback]\nrefund_clawback = true\n")
    player(ledger)
    bet_id = lost_bet(ledger, "1000")
    caught_up(ledger)

    roll_back_bet(ledger, bet_id)
    caught_up(ledger)
    settle_bet(ledger, bet_id, "LOSS")
    caught_up(ledger)

    assert buckets(ledger) == WORKED


def test_a_bet_refunded_before_the_follower_saw_it_takes_nothing_from_other_bets(
        make_ledger):
    ledger = make_ledger("[rakeback]\nrefund_clawback = true\n")
    player(ledger)
    lost_bet(ledger, "1000")
    caught_up(ledger)

    refund_bet(ledger, lost_bet(ledger, "1000"))  # settled and refunded in one lag
    caught_up(ledger)

    assert buckets(ledger) == WORKED


# Claims, double-or-nothing and the books.

def test_flips_are_verified_from_their_recorded_inputs(ledger):
    player(ledger)
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2026, 2, 2))
    unlock_ended(ledger)  # Feb 1, week 5 and January: every bucket is claimable

    won = claim(ledger, "DAILY", double=True, client_seed=seed_that(ledger, wins=True))
    lost = claim(ledger, "WEEKLY", double=True, client_seed=seed_that(ledger, wins=False))
    claim(ledger, "MONTHLY", double=True, client_seed="anything")

    assert won.result.claims[0].payout == D(2)
    assert lost.result.claims[0].payout == D(0)
    committed = events_of(ledger, kind=RakebackAccount.Opened)[0].server_seed_hash
    claims = [e for e in events_of(ledger, kind=RakebackAccount.Claimed) if e.flip]
    for nonce, event in enumerate(claims):
        record = event.flip
        redone = Flip(record["serverSeed"], committed, record["clientSeed"], nonce)
        assert record["nonce"] == nonce and record["serverSeedHash"] == committed
        assert redone.honest and (redone.digest, redone.won) == (record["digest"],
                                                                 record["won"])
        assert event.payout == (event.amount * 2 if redone.won else 0)
        committed = event.next_seed_hash
    account = account_of(ledger)
    assert (len(claims), account.seed_index, account.server_seed_hash) == (3, 3, committed)


def test_the_double_rtp_knob_scales_a_won_double(make_ledger):
    ledger = make_ledger('[rakeback]\ndouble_rtp = "0.99"\n')
    player(ledger)
    accrue(ledger, lost_bet(ledger, "1000"))
    clock.freeze(at(2026, 1, 16))
    unlock_ended(ledger)

    won = claim(ledger, "DAILY", double=True, client_seed=seed_that(ledger, wins=True))

    assert won.result.claims[0].payout == D("1.98")


def test_rakeback_paid_is_a_house_expense_credited_to_the_player_and_the_books_balance(
        ledger):
    player(ledger, funds={"USDT": "10000", "BTC": "1"})
    accrue(ledger, lost_bet(ledger, "1000"))
    accrue(ledger, lost_bet(ledger, "0.1", "BTC"))  # 0.0005 BTC: instant 0.00005
    instant = claim(ledger, "INSTANT", double=True)  # one credit per currency, not doubled
    clock.freeze(at(2026, 1, 16))
    unlock_ended(ledger)
    daily = claim(ledger, "DAILY", double=True, client_seed=seed_that(ledger, wins=True))

    paid: dict[str, Decimal] = {}
    for line in instant.result.claims + daily.result.claims:
        paid[line.currency] = paid.get(line.currency, D(0)) + line.payout
    caught_up(ledger)

    assert not instant.result.doubled and paid["USDT"] == D("0.5") + D(2)
    journal = ledger.journal.account_balances()
    for currency, amount in paid.items():
        assert journal[(currency, "house:rakeback_expense")] == -amount
        credits = [e["amount"] for e in all_entries(ledger, PLAYER, currency)
                   if e["type"] == "RAKEBACK"]
        assert sum(credits) == amount and all(c > 0 for c in credits)
    assert all(total == 0 for total in ledger.journal.trial_balance().values())


def test_an_empty_bucket_is_a_conflict_and_changes_nothing(ledger):
    player(ledger)
    accrue(ledger, lost_bet(ledger, "1000"))
    head = ledger.ledger.head()

    with pytest.raises(Conflict):
        claim(ledger, "DAILY")  # accrued, not yet unlocked

    assert ledger.ledger.head() == head


def test_a_rotated_signing_key_never_reveals_a_seed_that_was_not_committed(
        backend, request, tmp_path_factory, frozen_clock):
    url = backend_url(backend, request, tmp_path_factory)
    first = fresh_services(url)
    add_game(first)
    player(first)
    accrue(first, lost_bet(first, "1000"))
    first.close()
    rotated = bootstrap(Settings(database_url=url, secret="rotated-signing-key-" + "1" * 32))
    try:
        clock.freeze(at(2026, 1, 16))
        unlock_ended(rotated)
        try:
            record = claim(rotated, "DAILY", double=True).result.claims[0].flip
        except Conflict:
            return  # refusing to flip on a commitment it cannot honour is fair too
    finally:
        rotated.close()

    assert Flip(record["serverSeed"], record["serverSeedHash"], record["clientSeed"],
                record["nonce"]).honest


@pytest.mark.postgres_only
@pytest.mark.parametrize("group_commit", [0, 100], ids=["one-per-transaction",
                                                         "group-commit"])
def test_concurrent_claims_of_one_bucket_pay_once(postgres_database, group_commit,
                                                  frozen_clock):
    url = postgres_url(postgres_database)
    ledgers = [fresh_services(url, group_commit=group_commit) for _ in range(2)]
    try:
        first = ledgers[0]
        add_game(first)
        player(first, funds={"USDT": "10000", "BTC": "1"})
        accrue(first, lost_bet(first, "1000"))
        accrue(first, lost_bet(first, "0.1", "BTC"))

        results = in_threads([(ledgers[n % 2], [ClaimRakeback(
            f"claim-{n}", PLAYER, "INSTANT", n % 3 == 0, f"seed-{n}")]) for n in range(8)])

        paid = [r for r in results if isinstance(r, Outcome)]
        assert len(paid) == 1, results
        assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Outcome))
        for currency, amount in (("USDT", D("0.5")), ("BTC", D("0.00005"))):
            assert len(events_of(first, currency=currency,
                                 kind=RakebackAccount.Claimed)) == 1
            credits = [e["amount"] for e in all_entries(caught_up(first), PLAYER, currency)
                       if e["type"] == "RAKEBACK"]
            assert credits == [amount]
    finally:
        for services in ledgers:
            services.close()


def test_the_rakeback_projection_rebuilt_from_zero_has_the_same_rows(services, frozen_clock):
    """Accruals, unlocks, a forfeit and claims; then drop the view and replay the log."""
    services.ledger.execute(ConfigureGame("dice", D("99"), "dice", "house", True, "op"))
    services.ledger.execute(Adjust("fund", "p1", "USDT", D("10000"), "cash", "load", "fin"))
    services.ledger.execute(SetVipLevel("p1", "Gold", "op", "vip"))
    for day in range(3):
        for n in range(2):
            bet = services.ledger.execute(PlaceBet(
                f"b{day}{n}", "acme", "p1", "dice", f"r{day}", "USDT", D("1000")))
            services.ledger.execute(SettleRound(
                f"s{day}{n}", "acme", f"r{day}",
                (BetOutcome(bet.result.bet_id, "LOSS", D(0)),)))
        services.projections.catch_up()
        frozen_clock.advance(timedelta(days=1))
        services.job_runner.run("rakeback-unlock-daily",
                                Period.parse(str(frozen_clock.now().date() - timedelta(days=1))))
    services.ledger.execute(ClaimRakeback("claim-1", "p1", "INSTANT", False, "seed"))
    services.ledger.execute(ClaimRakeback("claim-2", "p1", "DAILY", True, "seed"))
    services.projections.catch_up()
    live = services.rakeback.dump()
    assert live["rakeback_accounts"], "the scenario built no rows"
    services.projections.rebuild("rakeback")
    assert services.rakeback.dump() == live
