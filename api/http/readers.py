"""Reads that several resources' routes show: the FX rates in force (rakeback's
claimable USD, finance's rates), a withdrawal as the API shows it (the
player's list, the back office, treasury alerts), and a command's typed
result as the fields of a schema. Routes import these, never each other."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic.alias_generators import to_camel

from api.http.schemas.cashier import WITHDRAWAL_AMOUNTS, WithdrawalPublic
from domain.cashier.withdrawals.records import WithdrawalRecord
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


def figures(result: Any) -> dict[str, Any]:
    """A command's typed result as a schema's fields (camelCase, nested results
    likewise); data inside a field (amounts by bucket, a flip's record) as it is."""
    return {to_camel(f.name): _figure(getattr(result, f.name))
            for f in dataclasses.fields(result)}


def record_figures(result: Any, own_id: str) -> dict[str, Any]:
    """A record's figures, its own id (`withdrawalId`, ...) named `id` as the API
    names every record's."""
    shown = figures(result)
    shown["id"] = shown.pop(own_id)
    return shown


def _figure(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return figures(value)
    if isinstance(value, tuple):
        return [_figure(v) for v in value]
    return value


def withdrawal_shown(services: Any, record: dict | WithdrawalRecord,
                     position: int | None = None) -> WithdrawalPublic:
    """A withdrawal (a view's row, or a command's result) at its currency's
    precision, with its log position."""
    if isinstance(record, WithdrawalRecord):
        record = record_figures(record, "withdrawalId")
    amounts = tuple(f for f in WITHDRAWAL_AMOUNTS if record.get(f) is not None)
    shown = services.ledger.currencies.at_precision(record, amounts)
    return WithdrawalPublic.model_validate(shown | {"position": position})
