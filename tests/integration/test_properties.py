"""Random command sequences keep the books right, on SQLite and PostgreSQL.

Each example drives adjustments and (through a test-only command) holds, settlements,
releases, locks and unlocks over three players and two currencies, with retries and
reuses of earlier requestIds and bad commands, against a model of every pocket.
After each step: the aggregates match the model and never go negative, the ledger
entries of each pocket sum to the balances view, and the trial balance is zero.
At the end, rebuilding every projection gives the live views back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from domain.wallet.commands import Adjust, WalletBalances
from domain.kernel.errors import Conflict, DomainError, InsufficientFunds, InvalidInput, UnknownHold
from domain.commanding.unit_of_work import UnitOfWork
from tests.factories import (
    aggregate_pockets,
    all_entries,
    dumps,
    fresh_services,
    pocket_sums,
    postgres_url,
    running_balances,
    sqlite_url,
    view_pockets,
)

PLAYERS = ("p1", "p2", "p3")
PRECISION = {"BTC": 8, "USDT": 6}
ZERO = Decimal(0)
FIGURES = ("cash", "bonus", "locked", "bonusLocked", "available")
FIELDS = ("cash", "bonus", "locked", "bonus_locked", "available")  # of WalletBalances


@dataclass(frozen=True)
class WalletOp:
    """Test-only command: a hold, settle, release, lock or unlock on one wallet."""

    kind: ClassVar[str] = "test-wallet-op"
    request_id: str
    player_id: str
    currency: str
    op: str
    hold_id: str
    cash: Decimal = ZERO
    bonus: Decimal = ZERO

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> WalletBalances:
        wallet = uow.wallet(self.player_id, self.currency, self.request_id)
        refs = {"request_id": self.request_id, "reference": f"test:{self.hold_id}"}
        if self.op == "hold":
            wallet.hold(self.hold_id, cash=self.cash, bonus=self.bonus, **refs)
        elif self.op == "lock":
            wallet.lock(self.hold_id, self.cash, **refs)
        else:
            getattr(wallet, {"settle": "settle_hold", "release": "release_hold",
                             "unlock": "unlock"}[self.op])(self.hold_id, **refs)
        return WalletBalances.of(wallet)


# The model: each wallet's four pockets, and the open holds.

class Model:
    def __init__(self) -> None:
        self.pockets = {(p, c): dict.fromkeys(("available", "locked", "bonus",
                                                "bonus_locked"), ZERO)
                        for p in PLAYERS for c in PRECISION}
        self.holds: dict[str, WalletOp] = {}
        self.done: list[tuple[Any, dict[str, Any]]] = []

    def figures(self, key: tuple[str, str]) -> dict[str, Decimal]:
        p = self.pockets[key]
        return {"cash": p["available"] + p["locked"], "bonus": p["bonus"] + p["bonus_locked"],
                "locked": p["locked"], "bonusLocked": p["bonus_locked"],
                "available": p["available"]}

    def expect(self, command: Any) -> type[DomainError] | None:
        """Apply `command` to the model; return the error it must raise instead, if any."""
        if isinstance(command, Adjust):
            return self._adjust(command)
        return self._wallet_op(command)

    def _adjust(self, c: Adjust) -> type[DomainError] | None:
        if c.amount != c.amount.quantize(Decimal(1).scaleb(-PRECISION[c.currency])):
            return InvalidInput
        pocket = "available" if c.balance == "cash" else "bonus"
        return self._move((c.player_id, c.currency), {pocket: c.amount})

    def _wallet_op(self, c: WalletOp) -> type[DomainError] | None:
        key = (c.player_id, c.currency)
        if c.op in ("hold", "lock"):
            if c.cash + c.bonus <= 0:
                return InvalidInput
            error = self._move(key, {"available": -c.cash, "locked": c.cash,
                                     "bonus": -c.bonus, "bonus_locked": c.bonus})
            if error is None:
                self.holds[c.hold_id] = c
            return error
        held = self.holds.get(c.hold_id)
        if held is None or (held.op == "lock") != (c.op == "unlock"):
            return UnknownHold
        del self.holds[c.hold_id]
        back = held.cash if c.op != "settle" else ZERO
        bonus_back = held.bonus if c.op != "settle" else ZERO
        return self._move(key, {"locked": -held.cash, "available": back,
                                "bonus_locked": -held.bonus, "bonus": bonus_back})

    def _move(self, key: tuple[str, str], changes: dict[str, Decimal]) -> type[DomainError] | None:
        after = {k: v + changes.get(k, ZERO) for k, v in self.pockets[key].items()}
        if after["available"] < 0 or after["bonus"] < 0:
            return InsufficientFunds
        self.pockets[key] = after
        return None


# Steps: what hypothesis draws.

players = st.sampled_from(PLAYERS)
currencies = st.sampled_from(sorted(PRECISION))
cents = st.integers(0, 2500).map(lambda n: Decimal(n).scaleb(-2))
signed_units = st.builds(lambda n, sign: n * sign, st.integers(1, 6000),
                         st.sampled_from([1, 1, -1]))

steps = st.one_of(
    st.tuples(st.just("adjust"), players, currencies, st.sampled_from(["cash", "bonus"]),
              signed_units, st.booleans()),
    st.tuples(st.just("overdraw"), players, currencies, st.sampled_from(["cash", "bonus"])),
    st.tuples(st.just("bad_precision"), players, currencies),
    *[st.tuples(st.just("hold"), players, currencies, cents, cents)] * 2,
    st.tuples(st.just("lock"), players, currencies, cents),
    *[st.tuples(st.just("finish"), st.sampled_from(["settle", "release", "unlock"]),
                st.integers(0, 20), players, currencies)] * 2,
    st.tuples(st.just("repeat"), st.integers(0, 50)),
    st.tuples(st.just("reuse"), st.integers(0, 50)),
)


# p1 and p2 start with cash and bonus in both currencies; p3 starts with nothing.
FUNDING = [("adjust", p, c, balance, 5000, False) for p in PLAYERS[:2] for c in sorted(PRECISION)
           for balance in ("cash", "bonus")]


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-PRECISION[currency])


def adjust_step(rid: str, model: Model, player: str, currency: str, balance: str,
                units: int, fine: bool) -> Adjust:
    """A credit (units > 0) or debit, at the currency's full precision or in cents."""
    amount = Decimal(units).scaleb(-PRECISION[currency] if fine else -2)
    return Adjust(rid, player, currency, amount, balance, "prop", "fin")


def overdraw_step(rid: str, model: Model, player: str, currency: str, balance: str) -> Adjust:
    """A debit of one unit more than the pocket holds."""
    free = model.pockets[(player, currency)]["available" if balance == "cash" else "bonus"]
    return Adjust(rid, player, currency, -(free + quantum(currency)), balance, "prop", "fin")


def bad_precision_step(rid: str, model: Model, player: str, currency: str) -> Adjust:
    return Adjust(rid, player, currency, 1 + quantum(currency) / 10, "cash", "prop", "fin")


def finish_step(rid: str, model: Model, how: str, which: int, player: str,
                currency: str) -> WalletOp:
    """Settle, release or unlock an open hold or lock (an unknown one if none is open)."""
    open_ = [h for h in model.holds.values() if (h.op == "lock") == (how == "unlock")]
    if not open_:
        return WalletOp(rid, player, currency, how, "never-opened")
    target = open_[which % len(open_)]
    return WalletOp(rid, target.player_id, target.currency, how, target.hold_id)


BUILDERS = {
    "adjust": adjust_step, "overdraw": overdraw_step, "bad_precision": bad_precision_step,
    "finish": finish_step,
    "hold": lambda rid, _, p, c, cash, bonus: WalletOp(rid, p, c, "hold", f"h-{rid}", cash,
                                                       bonus),
    "lock": lambda rid, _, p, c, cash: WalletOp(rid, p, c, "lock", f"h-{rid}", cash),
}


def run(services, command) -> tuple[Any, type[DomainError] | None]:
    try:
        return services.ledger.execute(command), None
    except DomainError as error:
        return None, type(error)


def replay_step(services, step: tuple, model: Model) -> None:
    """Repeat an earlier successful command as is, or with its payload changed."""
    if not model.done:
        return
    kind, which = step
    command, first = model.done[which % len(model.done)]
    event(kind)
    head = services.ledger.head()
    if kind == "repeat":
        outcome, error = run(services, command)
        assert error is None and outcome.replayed and outcome.result == first
    else:
        changed = (dataclasses.replace(command, amount=command.amount + quantum(command.currency))
                   if isinstance(command, Adjust)
                   else dataclasses.replace(command, hold_id=command.hold_id + "-other"))
        assert run(services, changed)[1] is Conflict
    assert services.ledger.head() == head


def command_step(services, step: tuple, n: int, model: Model) -> None:
    kind, *args = step
    command = BUILDERS[kind](f"r{n}", model, *args)
    expected = model.expect(command)
    head = services.ledger.head()
    outcome, error = run(services, command)
    event(f"{'/'.join(map(str, step[:2 if step[0] == 'finish' else 1]))}: "
          f"{error.__name__ if error else 'ok'}")
    assert error is expected, (command, error)
    if error is not None:
        assert services.ledger.head() == head
        return
    key = (command.player_id, command.currency)
    assert {f: getattr(outcome.result, n) for f, n in zip(FIGURES, FIELDS)
            } == model.figures(key)
    model.done.append((command, outcome.result))


def check_books(services, model: Model) -> None:
    for (player, currency), pockets in model.pockets.items():
        wallet = services.ledger.wallet(player, currency)
        assert aggregate_pockets(wallet) == pockets
        assert all(v >= 0 for v in aggregate_pockets(wallet).values())
    services.projections.catch_up()
    for player in PLAYERS:
        running_balances(all_entries(services, player))
    for (player, currency), pockets in model.pockets.items():
        assert pocket_sums(services, player, currency) == pockets
        assert view_pockets(services, player, currency) == pockets
    assert all(total == 0 for total in services.journal.trial_balance().values())


@contextmanager
def fresh_ledger(backend: str, request, tmp_path_factory) -> Iterator[Any]:
    """A new, empty ledger for one hypothesis example (a file or a schema of its own)."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("example"))
    else:
        url = postgres_url(request.getfixturevalue("postgres_database"))
    services = fresh_services(url)
    try:
        yield services
    finally:
        services.close()


def run_example(services, drawn: list[tuple]) -> None:
    model = Model()
    for n, step in enumerate(FUNDING + drawn):
        if step[0] in ("repeat", "reuse"):
            replay_step(services, step, model)
        else:
            command_step(services, step, n, model)
        check_books(services, model)
    live = dumps(services)
    for name in services.projections.views:
        services.projections.rebuild(name)
    assert dumps(services) == live


def hypothesis_settings(backend: str) -> settings:
    """Each example builds a fresh schema on PostgreSQL (about a second), so it draws
    fewer there, and reports the first failing example as drawn instead of shrinking
    it (minutes). SQLite draws more and shrinks to the shortest."""
    phases = [p for p in Phase if backend == "sqlite" or p is not Phase.shrink]
    return settings(max_examples=25 if backend == "sqlite" else 10, deadline=None, database=None, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow])


def test_random_command_sequences_keep_the_books_right(backend, request, tmp_path_factory):
    @hypothesis_settings(backend)
    @given(drawn=st.lists(steps, min_size=3, max_size=14))
    def example(drawn: list[tuple]) -> None:
        with fresh_ledger(backend, request, tmp_path_factory) as services:
            run_example(services, drawn)

    example()
