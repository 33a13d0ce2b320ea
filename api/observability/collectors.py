"""Figures read from the views at scrape time, so the hot path pays nothing for them.

Every process reads the same database, so a scrape of any one process gives
the whole picture of these. Money figures are running totals per currency
since the log began, net of corrections (a rollback lowers them), so they are
gauges: use `delta()` over them, not `rate()`. A source that cannot be read
reports `casino_metrics_source_up{source} 0` and the others still show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from prometheus_client.core import GaugeMetricFamily, Metric

from domain.cashier.treasury.health import treasury_key
from domain.cashier.withdrawals.model import PENDING_APPROVAL, QUEUED, SENT, SIGNED
from domain.kernel.clock import clock
from domain.kernel.postings import HOUSE_CASHBACK_EXPENSE, HOUSE_RAKEBACK_EXPENSE
from projections.engine.database import timestamp

log = logging.getLogger(__name__)

OPEN_WITHDRAWALS = (PENDING_APPROVAL, QUEUED, SIGNED, SENT)
PNL = ("SELECT currency, SUM(wagered) AS wagered, SUM(won) AS won, "
       "SUM(bonus_stake) AS bonus_stake, SUM(bets) AS bets FROM {s}pnl GROUP BY currency")
DEPOSITS = ("SELECT currency, SUM(amount) AS total FROM {s}deposits "
            "WHERE status = 'credited' GROUP BY currency")
WITHDRAWALS = ("SELECT currency, status, COUNT(*) AS n, SUM(amount) AS total, "
               "MIN(requested_at) AS oldest FROM {s}withdrawals GROUP BY currency, status")
HOUSE = "SELECT balance FROM {s}account_balances WHERE currency = ? AND account = ?"
JOBS = "SELECT job_name, outcome, COUNT(*) AS n FROM {s}job_runs GROUP BY job_name, outcome"


def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=list(labels))


class LedgerCollector:
    """Reads the P&L, journal, cashier, treasury, projection, relay and job views."""

    def __init__(self, services: Any):
        self.services = services

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only; registering must not query the database

    def collect(self) -> Iterator[Metric]:
        up = gauge("casino_metrics_source_up", "1 when the source was read", ("source",))
        for name, source in self._sources():
            try:
                yield from source()
                up.add_metric([name], 1)
            except Exception:  # noqa: BLE001 - one unreadable source hides no other
                log.exception("metrics source %s could not be read", name)
                up.add_metric([name], 0)
        yield up

    def _sources(self) -> list[tuple[str, Callable[[], Iterator[Metric]]]]:
        return [("pnl", self.pnl), ("journal", self.journal), ("cashier", self.cashier),
                ("treasury", self.treasury), ("reconciliation", self.reconciliation),
                ("views", self.views), ("relays", self.relays), ("jobs", self.jobs)]

    def _rows(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.services.pnl.db.transaction(commit=False) as cursor:
            return cursor.execute(statement, params).fetchall()

    def _hot_currencies(self) -> list[str]:
        return sorted(c for chain in self.services.ledger.rules.cashier.chains
                      for c in chain.currencies)

    def pnl(self) -> Iterator[Metric]:
        families = {f: gauge(f"casino_money_{f}", doc, ("currency",)) for f, doc in (
            ("wagered", "Stakes of settled bets"), ("paid_out", "Paid back to players"),
            ("ggr", "Gross gaming revenue: wagered - paid out"),
            ("bonus_stake", "Bonus-funded stakes the house kept"),
            ("ngr", "Net gaming revenue: GGR - bonus stake"))}
        bets = gauge("casino_settled_bets", "Settlements that count (net of reversals)",
                     ("currency",))
        for row in self._rows(PNL):
            wagered, won, bonus = (Decimal(row[c] or 0) for c in ("wagered", "won",
                                                                    "bonus_stake"))
            # Figured in Decimal; a Prometheus sample is a float only at the end.
            for name, value in (("wagered", wagered), ("paid_out", won),
                                ("ggr", wagered - won), ("bonus_stake", bonus),
                                ("ngr", wagered - won - bonus)):
                families[name].add_metric([row["currency"]], float(value))  # float-ok
            bets.add_metric([row["currency"]], float(row["bets"] or 0))  # float-ok
        yield from (*families.values(), bets)

    def journal(self) -> Iterator[Metric]:
        for name, account in (("rakeback", HOUSE_RAKEBACK_EXPENSE),
                              ("cashback", HOUSE_CASHBACK_EXPENSE)):
            family = gauge(f"casino_money_{name}_credited", f"{name.title()} credited "
                           "to players (the house expense account)", ("currency",))
            for currency in self.services.ledger.currencies:
                found = self._rows(HOUSE, (currency.code, account))
                if found:
                    family.add_metric([currency.code],
                                      -float(found[0]["balance"]))  # float-ok: a sample
            yield family

    def cashier(self) -> Iterator[Metric]:
        deposits = gauge("casino_money_deposits_credited", "Deposits credited",
                         ("currency",))
        for row in self._rows(DEPOSITS):
            deposits.add_metric([row["currency"]], float(row["total"] or 0))  # float-ok
        sent = gauge("casino_money_withdrawals_sent", "Withdrawals sent or confirmed",
                     ("currency",))
        count = gauge("casino_withdrawals", "Withdrawals by status", ("currency", "status"))
        oldest = gauge("casino_withdrawal_oldest_open_age_seconds", "Age of the oldest "
                       "withdrawal not yet confirmed, rejected, failed or cancelled",
                       ("currency",))
        totals: dict[str, Decimal] = {}
        ages: dict[str, float] = {}  # float-ok: seconds
        now = clock.now()
        for row in self._rows(WITHDRAWALS):
            currency, status = row["currency"], row["status"]
            count.add_metric([currency, status], row["n"])
            if status in (SENT, "confirmed"):
                totals[currency] = totals.get(currency, Decimal(0)) + Decimal(row["total"] or 0)
            if status in OPEN_WITHDRAWALS:
                age = (now - timestamp(row["oldest"])).total_seconds()
                ages[currency] = max(ages.get(currency, 0.0), age)
        for currency, total in totals.items():
            sent.add_metric([currency], float(total))  # float-ok: a sample
        for currency, age in ages.items():
            oldest.add_metric([currency], age)
        yield from (deposits, sent, count, oldest)

    def treasury(self) -> Iterator[Metric]:
        ratio = gauge("casino_hot_wallet_ratio", "Hot wallet / user balances at the "
                      "latest treasury check", ("currency",))
        alert = gauge("casino_hot_wallet_alert_ratio", "Ratio under which treasury is "
                      "alerted", ("currency",))
        target = gauge("casino_hot_wallet_target_ratio", "Ratio a refill restores",
                       ("currency",))
        checked = gauge("casino_hot_wallet_checked_timestamp_seconds",
                        "When the latest treasury check ran", ("currency",))
        for currency in self._hot_currencies():
            try:
                found = self.services.ledger.repository.get(treasury_key(currency))
            except AggregateNotFoundError:
                continue
            last = found.latest()
            ratio.add_metric([currency], float(last.ratio))  # float-ok: a sample
            alert.add_metric([currency], float(last.alert_below))  # float-ok: a sample
            target.add_metric([currency], float(last.target))  # float-ok: a sample
            checked.add_metric([currency], found.modified_on.timestamp())
        yield from (ratio, alert, target, checked)

    def reconciliation(self) -> Iterator[Metric]:
        gap = gauge("casino_reconciliation_discrepancy", "hot + cold + pending "
                    "withdrawals - user balances, at the latest report", ("currency",))
        tolerance = gauge("casino_reconciliation_tolerance", "Largest discrepancy "
                          "reported as balanced", ("currency",))
        at = gauge("casino_reconciliation_timestamp_seconds", "When the latest "
                   "reconciliation report was made", ("currency",))
        for currency in self._hot_currencies():
            for report in self.services.reconciliations.rows(currency=currency, limit=1):
                gap.add_metric([currency], float(report["discrepancy"]))  # float-ok: a sample
                tolerance.add_metric([currency], float(report["tolerance"]))  # float-ok: a sample
                at.add_metric([currency], timestamp(report["at"]).timestamp())
        yield from (gap, tolerance, at)

    def views(self) -> Iterator[Metric]:
        position = gauge("casino_view_position", "Log position a view reflects", ("view",))
        lag = gauge("casino_view_lag_events", "Events a view is behind the log", ("view",))
        failed = gauge("casino_view_failed", "1 while a view stopped on an error (in "
                       "the process that follows the log)", ("view",))
        head = gauge("casino_log_head", "Position of the newest event in the log")
        for status in self.services.projections.status():
            position.add_metric([status["name"]], status["position"])
            lag.add_metric([status["name"]], status["lag"])
            failed.add_metric([status["name"]], 1 if status["error"] else 0)
            head.samples.clear()
            head.add_metric([], status["head"])
        stopped = gauge("casino_loop_stopped", "1 while a scheduler loop stopped on an "
                        "error that repeats on one item (in the process that runs the "
                        "scheduler)", ("loop",))
        for loop in self.services.scheduler.loops.status():
            stopped.add_metric([loop["name"]], 1 if loop["error"] else 0)
        yield from (position, lag, failed, head, stopped)

    def relays(self) -> Iterator[Metric]:
        """Each relay to the bus (a process of its own): how far it has published."""
        position = gauge("casino_relay_position", "Log position the relay has published "
                         "up to (acknowledged by the broker)", ("relay",))
        lag = gauge("casino_relay_lag_events", "Events the relay is behind the log",
                    ("relay",))
        failing = gauge("casino_relay_failing", "1 while the relay retries an error "
                        "(the broker away, say)", ("relay",))
        for status in self.services.relays():
            position.add_metric([status["name"]], status["position"])
            lag.add_metric([status["name"]], status["lag"])
            failing.add_metric([status["name"]], 1 if status["error"] else 0)
        yield from (position, lag, failing)

    def jobs(self) -> Iterator[Metric]:
        runs = gauge("casino_job_runs", "Job runs by the outcome of their latest attempt",
                     ("job", "outcome"))
        for row in self._rows(JOBS):
            runs.add_metric([row["job_name"], row["outcome"]], row["n"])
        yield runs
