"""Reads that several resources' routes show: the FX rates in force (rakeback's
claimable USD, finance's rates) and a withdrawal as the API shows it (the
player's list, the back office, treasury alerts). Routes import these, never
each other."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from api.http.schemas.cashier import WITHDRAWAL_AMOUNTS, WithdrawalPublic
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.fx import FX_ID, usd_rates
from domain.ledger import Ledger


class RatesInForce(NamedTuple):
    rates: dict[str, Decimal]
    set_at: datetime | None
    set_by: str | None


def rates_in_force(ledger: Ledger) -> RatesInForce:
    """The rates as the domain uses them, and the latest change's time and actor."""
    rates = usd_rates(UnitOfWork(ledger.repository, ledger.rules))
    latest = next(iter(ledger.events.get(FX_ID, desc=True, limit=1)), None)
    if latest is None or not hasattr(latest, "actor"):
        return RatesInForce(rates, None, None)
    return RatesInForce(rates, latest.timestamp, latest.actor)


def withdrawal_shown(services: Any, record: dict, position: int | None = None
                     ) -> WithdrawalPublic:
    """A withdrawal record at its currency's precision, with its log position."""
    amounts = tuple(f for f in WITHDRAWAL_AMOUNTS if record.get(f) is not None)
    figures = services.ledger.currencies.at_precision(record, amounts)
    return WithdrawalPublic.model_validate(figures | {"position": position})
