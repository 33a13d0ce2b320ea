"""FX rates: USD per unit of each currency, set by finance as events with their time.

One aggregate holds the rates in force; each change is an event, so the rate
used at any past moment can be read back. Currencies never set fall back to
the configured `usd_rates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import InvalidInput
from domain.kernel.ids import natural_id
from domain.rules import CENT
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork

FX_ID = natural_id("fx-rates")


class FxRates(LedgerAggregate):
    @staticmethod
    def create_id(**_: Any) -> UUID:
        return FX_ID

    @event("Started")
    def __init__(self) -> None:
        self.rates: dict[str, Decimal] = {}

    def set(self, rates: dict[str, Decimal], actor: str) -> None:
        merged = self.rates | rates
        if merged != self.rates:
            self._rates_set(rates, actor)

    @event("RatesSet")
    def _rates_set(self, rates: dict[str, Decimal], actor: str) -> None:
        self.rates = self.rates | rates


def usd_rates(uow: UnitOfWork) -> dict[str, Decimal]:
    """The rates in force: the latest set by finance, else the configured ones."""
    found = uow.find(FX_ID)
    return dict(uow.rules.usd_rates) | (found.rates if found else {})


def in_usd(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class SetFxRates:
    """PUT the rates of some currencies (others keep theirs); the same again records nothing."""

    kind: ClassVar[str] = "fx-rates"
    request_id: ClassVar[None] = None
    rates: tuple[tuple[str, Decimal], ...]
    actor: str

    @property
    def partition(self) -> str:
        return "fx-rates"

    def decide(self, uow: UnitOfWork) -> FxRatesInForce:
        rates = {}
        for currency, rate in self.rates:
            uow.currencies.get(currency, "rates")
            if not (rate.is_finite() and rate > 0):
                raise InvalidInput(f"rates.{currency}: must be a positive number",
                                   field="rates")
            rates[currency] = rate
        found = uow.find(FX_ID) or uow.add(FxRates())
        found.set(rates, self.actor)
        return FxRatesInForce(usd_rates(uow))


@command_result("fx-rates")
@dataclass(frozen=True)
class FxRatesInForce:
    """USD per unit of each currency, as the domain uses them."""

    rates: dict[str, Decimal]
