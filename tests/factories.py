"""Shared test helpers: wallets, bets and players without a database; adjustments,
games, bets and player limits through a ledger; fresh ledgers; view reads.

Amounts are always Decimal (built from strings); never floats.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from api.bootstrap import Services, bootstrap
from api.config.settings import Settings
from domain.wallet.commands import Adjust
from domain.betting.model import Bet
from domain.betting.commands import BetOutcome, PlaceBet, RefundBet, RollbackBet, SettleRound
from domain.commanding.runner import Outcome
from domain.betting.games import ConfigureGame
from domain.kernel.clock import clock
from domain.kernel.money import ZERO
from domain.players.model import Player, player_key
from domain.players.commands import SetLimits, SetVipLevel
from domain.kernel.postings import POCKETS
from domain.wallet.model import Wallet

SECRET = "factories-signing-key-" + "0" * 32


# Wallets without a database.

def open_wallet(player: str = "p1", currency: str = "BTC", *, cash: str = "0",
                bonus: str = "0") -> Wallet:
    """A new wallet, funded by a deposit (cash) and a bonus grant (bonus) if non-zero."""
    wallet = Wallet(player_id=player, currency=currency, request_id="open", reference="")
    if Decimal(cash):
        wallet.credit(Decimal(cash), balance="cash", tag="DEPOSIT", request_id="fund-cash",
                      reference="tx:fund")
    if Decimal(bonus):
        wallet.credit(Decimal(bonus), balance="bonus", tag="BONUS", request_id="fund-bonus",
                      reference="grant:fund")
    return wallet


def wallet_state(wallet: Wallet) -> dict[str, Any]:
    return {"cash": wallet.cash, "locked": wallet.locked, "bonus": wallet.bonus,
            "bonus_locked": wallet.bonus_locked, "holds": wallet.holds,
            "version": wallet.version, "player_id": wallet.player_id,
            "currency": wallet.currency}


# Commands through a bootstrapped ledger.

def adjust(services: Services, player: str, currency: str, amount: str, *,
           balance: str = "cash", request_id: str | None = None,
           reason: str = "test adjustment") -> Outcome:
    return services.ledger.execute(Adjust(
        request_id=request_id or f"req-{uuid.uuid4().hex}", player_id=player,
        currency=currency, amount=Decimal(amount), balance=balance, reason=reason,
        actor="finance-1"))


def credit(services: Services, player: str, currency: str, amount: str, *,
           balance: str = "cash") -> Outcome:
    return adjust(services, player, currency, amount, balance=balance)


def debit(services: Services, player: str, currency: str, amount: str, *,
          balance: str = "cash", request_id: str | None = None) -> Outcome:
    return adjust(services, player, currency, f"-{amount}", balance=balance,
                  request_id=request_id)


# Fresh ledgers, for tests that need more than one per test function.

def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory}/ledger.sqlite3"


def postgres_url(database: str) -> str:
    """A URL to a new, empty schema in `database`."""
    return f"{database}?schema=t_{uuid.uuid4().hex[:16]}"


def backend_url(backend: str, request: Any, tmp_path_factory: Any) -> str:
    """A URL to a new, empty ledger on `backend` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        return sqlite_url(tmp_path_factory.mktemp("ledger"))
    return postgres_url(request.getfixturevalue("postgres_database"))


def fresh_services(database_url: str, **settings: Any) -> Services:
    """A ledger on `database_url`; `settings` override the defaults (e.g. group_commit)."""
    return bootstrap(Settings(database_url=database_url, secret=SECRET, **settings))


def module_ledger(request: Any, tmp_path_factory: Any, toml: str, start: datetime,
                  games: tuple[tuple[str, str], ...] = (("dice-99", "dice"),)) -> Any:
    """A module's ledger on `request.param`'s backend with business configuration
    `toml` and `games` (id, category), its clock frozen at `start` (a generator
    for a module-scoped fixture: `yield from module_ledger(...)`)."""
    url = backend_url(request.param, request, tmp_path_factory)
    built = fresh_services(url, config=config_file(tmp_path_factory.mktemp("cfg"), toml))
    clock.freeze(start)
    for game_id, category in games:
        add_game(built, game_id, category=category)
    yield built
    built.close()
    clock.resume()


# Running commands at once.

def in_threads(jobs: list[tuple[Services, list[Any]]]) -> list[Any]:
    """Each job (services, commands) in a thread of its own, all released together.

    Returns each command's Outcome or the exception it raised, in the order of the
    jobs and of their commands.
    """
    gate = threading.Barrier(len(jobs))
    results: list[list[Any]] = [[] for _ in jobs]

    def work(services: Services, commands: list[Any], out: list[Any]) -> None:
        gate.wait()
        for command in commands:
            try:
                out.append(services.ledger.execute(command))
            except Exception as error:  # noqa: BLE001 - the test inspects it
                out.append(error)

    threads = [threading.Thread(target=work, args=(*job, out))
               for job, out in zip(jobs, results)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return [result for out in results for result in out]


# Reading the views.

def caught_up(services: Services) -> Services:
    services.projections.catch_up()
    return services


def all_entries(services: Services, player: str, currency: str | None = None,
                ) -> list[dict[str, Any]]:
    """Every ledger entry of a player, newest first (walking the cursor pages)."""
    entries: list[dict[str, Any]] = []
    before = None
    while page := services.ledger_entries.page(player, currency=currency, before=before,
                                               limit=100):
        entries += page
        before = (page[-1]["position"], page[-1]["leg"])
    return entries


def pocket_sums(services: Services, player: str, currency: str) -> dict[str, Decimal]:
    """The sum of the ledger entries of each pocket of one wallet."""
    sums = dict.fromkeys(POCKETS, ZERO)
    for entry in all_entries(services, player, currency):
        sums[entry["pocket"]] += entry["amount"]
    return sums


def running_balances(entries: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Walk entries oldest first; each balanceAfter must be the running sum of its pocket."""
    running: dict[str, Decimal] = {}
    for entry in reversed(entries):
        key = f"{entry['currency']}:{entry['pocket']}"
        running[key] = running.get(key, ZERO) + entry["amount"]
        assert entry["balanceAfter"] == running[key], entry
    return running


def view_pockets(services: Services, player: str, currency: str) -> dict[str, Decimal]:
    """The balances view of one wallet, as its four pockets."""
    rows = [r for r in services.balances.for_player(player) if r["currency"] == currency]
    if not rows:
        return dict.fromkeys(POCKETS, ZERO)
    [row] = rows
    return {"available": row["available"], "locked": row["locked"],
            "bonus": row["bonus"] - row["bonusLocked"], "bonus_locked": row["bonusLocked"]}


def aggregate_pockets(wallet: Wallet | None) -> dict[str, Decimal]:
    if wallet is None:
        return dict.fromkeys(POCKETS, ZERO)
    return {"available": wallet.available, "locked": wallet.locked,
            "bonus": wallet.bonus_available, "bonus_locked": wallet.bonus_locked}


def dumps(services: Services) -> dict[str, Any]:
    return {name: view.dump() for name, view in services.projections.views.items()}


# Games, bets and players through a bootstrapped ledger.

PROVIDER = "provider-1"
GAME = "dice-99"


def add_game(services: Services, game_id: str = GAME, *, rtp: str = "99",
             category: str = "dice", provider: str = "Originals",
             house_game: bool = True) -> Outcome:
    return services.ledger.execute(ConfigureGame(
        game_id=game_id, rtp=Decimal(rtp), category=category, provider=provider,
        house_game=house_game, actor="operator-1"))


def bet_command(player: str, stake: str, currency: str = "USDT", *,
                request_id: str | None = None, provider: str = PROVIDER,
                game: str = GAME, round_id: str | None = None,
                country: str | None = None) -> PlaceBet:
    request_id = request_id or f"bet-{uuid.uuid4().hex}"
    return PlaceBet(request_id=request_id, provider=provider, player_id=player,
                    game_id=game, round_id=round_id or f"round-{request_id}",
                    currency=currency, stake=Decimal(stake), country=country)


def place_bet(services: Services, player: str, stake: str, currency: str = "USDT",
              **kwargs: Any) -> Outcome:
    """Place a bet (see `bet_command`); the result carries its betId."""
    return services.ledger.execute(bet_command(player, stake, currency, **kwargs))


def bet_of(services: Services, bet_id: str) -> Bet:
    return services.ledger.repository.get(UUID(bet_id))


def settle_command(services: Services, bet_id: str, outcome: str, payout: str = "0", *,
                   request_id: str | None = None, provider: str = PROVIDER,
                   round_id: str | None = None) -> SettleRound:
    """A round settlement of one bet (its own round unless `round_id` says otherwise)."""
    return SettleRound(
        request_id=request_id or f"settle-{uuid.uuid4().hex}", provider=provider,
        round_id=round_id or bet_of(services, bet_id).round_id,
        bets=(BetOutcome(bet_id=bet_id, outcome=outcome, payout=Decimal(payout)),))


def settle_bet(services: Services, bet_id: str, outcome: str = "LOSS", payout: str = "0",
               **kwargs: Any) -> Outcome:
    return services.ledger.execute(settle_command(services, bet_id, outcome, payout,
                                                  **kwargs))


def refund_command(bet_id: str, *, request_id: str | None = None,
                   provider: str = PROVIDER, reason: str = "round cancelled") -> RefundBet:
    return RefundBet(request_id=request_id or f"refund-{uuid.uuid4().hex}",
                     provider=provider, bet_id=bet_id, reason=reason)


def refund_bet(services: Services, bet_id: str, **kwargs: Any) -> Outcome:
    return services.ledger.execute(refund_command(bet_id, **kwargs))


def rollback_command(bet_id: str, *, request_id: str | None = None,
                     provider: str = PROVIDER) -> RollbackBet:
    return RollbackBet(request_id=request_id or f"rollback-{uuid.uuid4().hex}",
                       provider=provider, bet_id=bet_id)


def roll_back_bet(services: Services, bet_id: str, **kwargs: Any) -> Outcome:
    return services.ledger.execute(rollback_command(bet_id, **kwargs))


def set_limits(services: Services, player: str, *, daily: dict[str, str] | None = None,
               excluded_until: datetime | None = None) -> Outcome:
    """Responsible-gaming limits: daily loss limits per currency, self-exclusion."""
    return services.ledger.execute(SetLimits(
        player_id=player, self_excluded_until=excluded_until,
        daily_loss_limits=tuple((c, Decimal(a)) for c, a in (daily or {}).items()),
        actor="compliance-1", reason="player request"))


def set_vip_level(services: Services, player: str, level: str) -> Outcome:
    return services.ledger.execute(SetVipLevel(player_id=player, level=level,
                                               actor="vip-manager-1", reason="VIP review"))


def player_of(services: Services, player: str) -> Player | None:
    try:
        return services.ledger.repository.get(player_key(player))
    except AggregateNotFoundError:
        return None


def config_file(directory: Path, toml: str) -> Path:
    """A business configuration file (docs/configuration.md) holding `toml`."""
    path = directory / "casino-ledger.toml"
    path.write_text(toml)
    return path


# Bets and players without a database.

def new_bet(stake: str = "10", *, cash: str | None = None, bonus: str = "0",
            player: str = "p1", currency: str = "USDT", provider: str = PROVIDER,
            request_id: str = "place-1", rtp: str = "99") -> Bet:
    """An open bet; the stake is all cash unless `cash` and `bonus` split it."""
    cash = stake if cash is None else cash
    return Bet(provider, request_id, player, GAME, "round-1", currency, Decimal(stake),
               Decimal(cash), Decimal(bonus), Decimal(rtp), "dice", "Originals", True)


def new_player(player: str = "p1", level: str = "Wood") -> Player:
    return Player(player, level=level)
