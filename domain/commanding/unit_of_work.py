"""The aggregates one command reads and changes, so they are saved together."""

from __future__ import annotations

from collections import OrderedDict
from copy import deepcopy

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate

from domain.brands.model import DEFAULT_BRAND, BrandDirectory
from domain.kernel import tracing
from domain.kernel.money import Currencies
from domain.players.model import Player, player_key
from domain.rules import Rules
from domain.wallet.model import Wallet, wallet_id

A = TypeVar("A", bound=Aggregate)


class Known:
    """Aggregates one decider has read, saved or is saving, as of then (None: absent).

    The group-commit decider decides on these without asking the store again;
    the versions it read are checked in one query before the batch is saved
    (`UnitOfWork.reads`), and a save on a stale copy fails on optimistic
    concurrency, so a copy that another process made stale only costs a retry.
    Only the decider thread uses it (others send it ids to forget).
    """

    def __init__(self, maxsize: int = 10_000):
        self.maxsize = maxsize
        self._items: OrderedDict[UUID, Aggregate | None] = OrderedDict()

    def get(self, aggregate_id: UUID) -> tuple[bool, Aggregate | None]:
        try:
            found = self._items[aggregate_id]
        except KeyError:
            return False, None
        self._items.move_to_end(aggregate_id)
        return True, found

    def put(self, aggregate_id: UUID, aggregate: Aggregate | None) -> None:
        self._items[aggregate_id] = aggregate
        self._items.move_to_end(aggregate_id)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def forget(self, ids: Any) -> None:
        for aggregate_id in ids:
            self._items.pop(aggregate_id, None)


class UnitOfWork:
    def __init__(self, repository: Repository[Any], rules: Rules,
                 parent: UnitOfWork | None = None, known: Known | None = None,
                 directory: BrandDirectory | None = None):
        """With `known` (the group-commit decider's), reads come from it when they
        can, and `reads` lists the versions read, to be checked before saving.
        `directory` holds the brands of players met before (no query for them)."""
        self._repository = repository
        self._rules = rules
        self._parent = parent
        self._known = known
        self.directory = directory if directory is not None else BrandDirectory()
        # The brand this command is about: its player's, learnt from the first
        # aggregate of a player it reads; its rules are that brand's.
        self.brand: str | None = None
        self._absent: set[UUID] = set()  # players looked for and not found
        self._aggregates: dict[UUID, Aggregate] = {}
        self._pending_at_entry: dict[UUID, int] = {}
        self.reads: dict[UUID, int] = {}  # with `known`: the version read (0: absent)

    @property
    def rules(self) -> Rules:
        return self._rules.for_brand(self.brand)

    def rules_of(self, brand: str) -> Rules:
        return self._rules.for_brand(brand)

    @property
    def currencies(self) -> Currencies:
        return self.rules.currencies

    def fork(self) -> UnitOfWork:
        """A child that copies what it touches, so a refused command leaves no trace."""
        return UnitOfWork(self._repository, self._rules, parent=self,
                          directory=self.directory)

    def brand_for(self, player_id: str) -> str | None:
        """The player's brand (None: not registered): from the record this unit
        holds, else the directory, else the store (once per process, and an
        absence once per unit)."""
        key = player_key(player_id)
        held = self.peek(key)
        if held is not None:
            return held.brand
        brand = self.directory.get(player_id)
        if brand is None and key not in self._absent:
            player = self.find(key)
            if player is None:
                self._absent.add(key)
            brand = None if player is None else player.brand
        return brand

    def about(self, player_id: str | None) -> None:
        """This command is about `player_id`: its brand's rules apply (for a player
        not registered yet, those of the brand a scoped caller registers it in)."""
        if self.brand is None and player_id is not None:
            self.brand = self.brand_for(player_id) or tracing.scope()

    def merge(self, child: UnitOfWork) -> None:
        """Keep what a child decided (its copies replace the originals)."""
        for aggregate_id, aggregate in child._aggregates.items():
            self._aggregates[aggregate_id] = aggregate
            self._pending_at_entry.setdefault(aggregate_id, 0)

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate with this id (loaded once per unit), or None."""
        if aggregate_id in self._aggregates:
            return self._aggregates[aggregate_id]
        if self._parent is not None:
            found = self._parent.find(aggregate_id)
            found = None if found is None else deepcopy(found)
        elif self._known is not None:
            found = self._known_or_stored(aggregate_id)
        else:
            try:
                found = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                found = None
        if found is not None:
            self._enter(found)
        return found

    def _known_or_stored(self, aggregate_id: UUID) -> Any | None:
        assert self._known is not None
        held, found = self._known.get(aggregate_id)
        if not held:
            try:
                found = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                found = None
            self._known.put(aggregate_id, found)
        # Shared, not copied: a unit with `known` is only forked (each command
        # decides on a fork, which copies what it touches), never changed itself.
        self.reads[aggregate_id] = 0 if found is None else found.version
        return found

    def assume_absent(self, aggregate_id: UUID) -> Any | None:
        """`find` for an id that is almost always new (a requestId's Request).

        With the decider's `known`, an id it has not seen is taken as absent
        without a query, and recorded as read at version 0, so the batch's
        check of its reads refuses the batch should it exist after all.
        """
        if aggregate_id in self._aggregates:
            return self._aggregates[aggregate_id]
        if self._parent is not None:
            found = self._parent.assume_absent(aggregate_id)
            if found is not None:
                found = deepcopy(found)
                self._enter(found)
            return found
        if self._known is None:
            return self.find(aggregate_id)
        held, found = self._known.get(aggregate_id)
        if held:
            return self.find(aggregate_id)
        self.reads[aggregate_id] = 0
        return None

    def peek(self, aggregate_id: UUID) -> Any | None:
        """The aggregate if this unit (or its parent) already holds it; no query."""
        if aggregate_id in self._aggregates:
            return self._aggregates[aggregate_id]
        return self._parent.peek(aggregate_id) if self._parent else None

    def add(self, aggregate: A) -> A:
        self._enter(aggregate, new=True)
        return aggregate

    def _enter(self, aggregate: Aggregate, *, new: bool = False) -> None:
        self._aggregates[aggregate.id] = aggregate
        self._pending_at_entry[aggregate.id] = 0 if new else len(aggregate.pending_events)
        if isinstance(aggregate, Player) and aggregate.version > len(aggregate.pending_events):
            # Stored, so its brand is final (one joined in this batch may yet fail).
            self.directory.learn(aggregate.player_id, aggregate.brand)
        # The decider's shared unit (with `known`) decides nothing itself.
        if self.brand is None and self._known is None and hasattr(aggregate, "player_id"):
            self.about(aggregate.player_id)

    def wallet(self, player_id: str, currency: str, request_id: str) -> Wallet:
        """The player's wallet in this currency, opened by this request if new."""
        self.currencies.get(currency)
        found = self.find(wallet_id(player_id, currency))
        if found is not None:
            return found
        return self.add(Wallet(player_id=player_id, currency=currency,
                               request_id=request_id, reference=""))

    def player(self, player_id: str) -> Player:
        """The player's record, registered at the bottom of the ladder if new, in
        the brand the caller is scoped to (else the default brand)."""
        found = self.find(player_key(player_id))
        if found is not None:
            return found
        return self.register(player_id, tracing.scope() or DEFAULT_BRAND)

    def register(self, player_id: str, brand: str) -> Player:
        """A new player, at the bottom of its brand's ladder, in `brand` for good."""
        player = Player(player_id, level=self.rules_of(brand).ladder.names[0])
        player.join(brand)  # before it enters: the unit learns its brand from it
        return self.add(player)

    def stale(self) -> bool:
        """Whether any aggregate read here has newer events in the store now.

        A command refused on such a read saw aggregates from different moments
        (another process committed in between); it must be decided again. So
        must one that read an aggregate a batch still committing wrote (not
        in the store yet): its refusal rests on state that may yet be voided.
        """
        for aggregate_id, aggregate in self._aggregates.items():
            read_at = aggregate.version - len(aggregate.pending_events)
            if read_at and self._stored_version(aggregate_id) != read_at:
                return True
        return False

    def _stored_version(self, aggregate_id: UUID) -> int | None:
        try:
            return self._repository.get(aggregate_id).version
        except AggregateNotFoundError:
            return None

    def changed(self) -> list[Aggregate]:
        """The aggregates this unit added events to (a fork: this command alone)."""
        return [a for i, a in self._aggregates.items()
                if len(a.pending_events) > self._pending_at_entry[i]]
