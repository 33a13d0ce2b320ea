"""The figures only the hot path knows: latencies, bet outcomes, batches, failures.

Each is a prometheus-client counter or histogram on the Metrics' own registry.
With PROMETHEUS_MULTIPROC_DIR set (several worker processes), the library
writes every process's values to files there and a scrape of any process adds
them up (`scrape_registry`). Labels are bounded sets chosen here: a command
kind, an outcome or error code, a provider (the token's subject, one per
configured provider), a currency, a view or a route template; never a player.
The names are public and catalogued in docs/operations.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.registry import Collector

# Seconds: a command decided and saved (group commit included), an HTTP request.
LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds from a withdrawal's request to its confirmation on chain (the payout SLA).
PAYOUT = (60.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0, 86400.0)
BATCH = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.command_seconds = Histogram(
            "casino_command_duration_seconds", "Time to decide and save a command",
            ["kind", "outcome"], buckets=LATENCY, registry=r)
        self.http_seconds = Histogram(
            "casino_http_request_duration_seconds", "Time to answer an HTTP request",
            ["method", "route", "status"], buckets=LATENCY, registry=r)
        self.bets = Counter("casino_bets_placed", "Bet placements by result",
                            ["provider", "result"], registry=r)
        self.rejections = Counter("casino_bet_rejections", "Bets refused, by reason",
                                  ["provider", "reason"], registry=r)
        self.settlements = Counter("casino_bet_settlements", "Bets settled, by outcome",
                                   ["provider", "outcome"], registry=r)
        self.reversals = Counter("casino_bet_reversals", "Refunds and rollbacks of bets",
                                 ["provider", "kind"], registry=r)
        self.payout_seconds = Histogram(
            "casino_withdrawal_payout_seconds",
            "Time from a withdrawal's request to its confirmation on chain",
            ["currency"], buckets=PAYOUT, registry=r)
        self.batch_size = Histogram(
            "casino_group_commit_batch_size", "Commands per group-commit transaction",
            buckets=BATCH, registry=r)
        self.lost_races = Counter(
            "casino_group_commit_lost_races",
            "Group-commit batches that lost a concurrency race and ran one by one",
            registry=r)
        self.view_failures = Counter(
            "casino_view_failures", "Failed attempts to apply a batch to a view",
            ["view"], registry=r)
        self.loop_failures = Counter(
            "casino_loop_failures", "Failed attempts of a scheduler loop (the schedule, "
            "a chain poller), retried", ["loop"], registry=r)
        self._scrape: CollectorRegistry | None = None
        self._closers: list[object] = []

    def add_collectors(self, collectors: Iterable[Collector]) -> None:
        """Collectors that read state at scrape time (views, status)."""
        for collector in collectors:
            self.scrape_registry().register(collector)

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reads: this registry, or every process's files."""
        if not multiprocess_dir():
            return self.registry
        if self._scrape is None:
            from prometheus_client import multiprocess
            self._scrape = CollectorRegistry()
            multiprocess.MultiProcessCollector(self._scrape)
        return self._scrape

    def batch(self, size: int, lost: bool) -> None:
        """A group-commit transaction (or a batch that lost its race)."""
        if lost:
            self.lost_races.inc()
        else:
            self.batch_size.observe(size)

    def view_failed(self, view: str) -> None:
        self.view_failures.labels(view).inc()

    def loop_failed(self, loop: str) -> None:
        self.loop_failures.labels(loop).inc()

    def serve_port(self, port: int, host: str) -> None:
        """An unauthenticated listener on its own port (CASINO_LEDGER_METRICS_PORT)."""
        from prometheus_client import start_http_server
        server, thread = start_http_server(port, host, registry=self.scrape_registry())
        self._closers.append(server)

    def close(self) -> None:
        for server in self._closers:
            server.shutdown()  # type: ignore[attr-defined]
            server.server_close()  # type: ignore[attr-defined]
        self._closers.clear()
