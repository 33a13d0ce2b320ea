"""The composition root: builds the ledger, its views and the runner from settings.

Nothing is built at import time; the HTTP app, the CLI and the tests all call
`bootstrap` and get the same wiring.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import psycopg
from psycopg import sql

from api.http.auth import TokenIssuer
from api.http.providers.sessions import GameSessions
from api.cashier_wiring import Cashier, ChainClients
from api.privacy_wiring import Privacy
from api.config.business import BusinessConfig, load_config
from api.config.chains import build_chains
from api.config.settings import Settings, eventsourcing_env
from api.observability.instruments import Metrics
from api.observability.wiring import instrument
from domain.kernel.clock import clock
from domain.ledger import Ledger
from domain.audit.signing import Signer
from projections.audit.adjustment_log import AdjustmentLogView
from projections.audit.chain import AuditChainView
from projections.wallet.balances import BalancesView
from projections.betting.bets import BetsView
from projections.bonus.grants import BonusGrantsView
from projections.bonus.reactions import BonusWagering
from projections.cashback.log import CashbackLogView
from projections.cashback.reactions import CashbackPlays
from projections.cashback.tallies import CashbackTalliesView
from projections.compliance.blocked import BlockedAttemptsView
from projections.compliance.signals import AbuseSignals, SignalsView
from projections.engine.database import ViewDatabase
from projections.cashier.deposits import DepositsView
from projections.jobs.runs import JobRunsView
from projections.wallet.journal import JournalView
from projections.wallet.ledger_entries import LedgerEntriesView
from projections.betting.pnl import PnlView
from projections.rakeback.views import RakebackView
from projections.rakeback.reactions import RakebackAccrual
from projections.cashier.reconciliation import ReconciliationView
from projections.audit.replay_runs import ReplayRuns
from projections.brands.players import PlayerBrandsView
from projections.privacy.keys import DataKeys
from projections.privacy.profiles import ProfilesView
from projections.rewards.feed import RewardsView
from projections.engine.runner import ProjectionRunner
from projections.relay.lease import create_table as create_relay_table, relay_status
from projections.cashier.withdrawals import WithdrawalsView
from schedulers.audit.checkpoint import checkpoint_jobs
from schedulers.bonus.expiry import expiry_jobs
from schedulers.cashback.periods import cashback_jobs
from schedulers.jobs.catalogue import Job, JobCatalogue
from schedulers.rakeback.unlock import unlock_jobs
from schedulers.jobs.runner import JobRunner
from schedulers.jobs.service import JobScheduler


@dataclass
class Services:
    settings: Settings
    config: BusinessConfig
    ledger: Ledger
    projections: ProjectionRunner
    tokens: TokenIssuer
    # Each chain's clients (api/cashier_wiring.py), built from configuration
    # or injected by tests.
    chains: Mapping[str, ChainClients] = field(default_factory=dict)
    balances: BalancesView = field(init=False)
    ledger_entries: LedgerEntriesView = field(init=False)
    journal: JournalView = field(init=False)
    bets: BetsView = field(init=False)
    pnl: PnlView = field(init=False)
    rakeback: RakebackView = field(init=False)
    job_runs: JobRunsView = field(init=False)
    cashback_log: CashbackLogView = field(init=False)
    bonus_grants: BonusGrantsView = field(init=False)
    deposits: DepositsView = field(init=False)
    withdrawals: WithdrawalsView = field(init=False)
    reconciliations: ReconciliationView = field(init=False)
    cashier: Cashier = field(init=False)
    audit_chain: AuditChainView = field(init=False)
    # Signs audit checkpoints and export manifests (docs/audit.md).
    audit_signer: Signer = field(init=False)
    adjustment_log: AdjustmentLogView = field(init=False)
    # Verified replays asked for over HTTP (docs/audit.md).
    replays: ReplayRuns = field(init=False)
    # Scheduled jobs: `jobs` is the catalogue (see build_jobs), `job_runner`
    # runs one for a period, `scheduler` ticks them (started by serve).
    jobs: JobCatalogue = field(init=False, default_factory=JobCatalogue)
    job_runner: JobRunner = field(init=False)
    scheduler: JobScheduler = field(init=False)
    # Game session tokens providers send back (api/http/providers/sessions.py).
    game_sessions: GameSessions = field(init=False)
    # Personal data, sealed per player (docs/privacy.md).
    privacy: Privacy = field(init=False)
    rewards: RewardsView = field(init=False)
    # Prometheus metrics (api/observability), None when CASINO_LEDGER_METRICS=off.
    metrics: Metrics | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        views = self.projections.views
        self.balances = views["balances"]
        self.ledger_entries = views["ledger_entries"]
        self.journal = views["journal"]
        self.bets = views["bets"]
        self.pnl = views["pnl"]
        self.rakeback = views["rakeback"]
        self.job_runs = views["job_runs"]
        self.cashback_log = views["cashback_log"]
        self.bonus_grants = views["bonus_grants"]
        self.deposits = views["deposits"]
        self.withdrawals = views["withdrawals"]
        self.reconciliations = views["reconciliation"]
        self.cashier = Cashier(self.ledger, self.projections, self.chains,
                               self._withdrawal_queue)
        self.audit_chain = views["audit_chain"]
        self.audit_signer = self.settings.audit_signer()
        self.adjustment_log = views["adjustment_log"]
        self.replays = ReplayRuns(self.ledger, self.projections)
        self.rewards = views["rewards"]
        self.privacy = Privacy(self.ledger, DataKeys(self.balances.db,
                                                     self.settings.privacy_master()),
                               views["profiles"])
        self.job_runner = JobRunner(self.ledger, self.jobs, clock)
        self.scheduler = JobScheduler(self.job_runner, pollers=self.cashier.pollers(
            self.config.cashier.watch_seconds, self.config.cashier.send_seconds,
            self.config.cashier.sweep_seconds))

    def relays(self) -> list[dict[str, Any]]:
        """Each relay to the bus (`casino-ledger relay run`): position, lag, last error."""
        return relay_status(self.balances.db, self.projections.head())

    def _withdrawal_queue(self, chain: str, status: str) -> list[str]:
        self.projections.catch_up(["withdrawals"])
        return self.withdrawals.ids(chain, status)

    def close(self) -> None:
        self.scheduler.stop()
        self.replays.join()
        self.projections.stop()
        self.ledger.close()
        if self.metrics is not None:
            self.metrics.close()


def bootstrap(settings: Settings | None = None,
              chains: Mapping[str, ChainClients] | None = None) -> Services:
    """The services; `chains` replaces the chain clients configuration would build."""
    settings = settings or Settings()
    config = load_config(settings.config)
    env = eventsourcing_env(settings.database_url)
    if env.get("POSTGRES_SCHEMA"):
        create_schema(settings.database_url, env["POSTGRES_SCHEMA"])
    key = settings.signing_key()
    flip_secret = hmac.new(key.encode(), b"double-or-nothing seeds", hashlib.sha256).digest()
    ledger = Ledger(env=env, rules=config.rules(flip_secret),
                    group_commit=settings.group_commit)
    db = ViewDatabase(ledger.recorder.datastore)  # type: ignore[attr-defined]
    create_relay_table(db)
    views = [BalancesView(db), LedgerEntriesView(db), JournalView(db), BetsView(db),
             PnlView(db), JobRunsView(db), RakebackView(db), RakebackAccrual(db, ledger),
             CashbackPlays(db, ledger), CashbackTalliesView(db), CashbackLogView(db),
             BonusWagering(db, ledger), BonusGrantsView(db),
             DepositsView(db), WithdrawalsView(db), ReconciliationView(db),
             AdjustmentLogView(db, ledger.repository), AuditChainView(db),
             BlockedAttemptsView(db), SignalsView(db),
             ProfilesView(db), RewardsView(db), PlayerBrandsView(db)]
    if ledger.rules.compliance.signals.enabled:
        views.append(AbuseSignals(db, ledger))
    runner = ProjectionRunner(ledger.recorder, ledger.mapper, views,
                              poll_interval=settings.follow_poll_ms / 1000)
    ledger.commands.on_saved.append(runner.wake)
    tokens = TokenIssuer(key, default_ttl=settings.token_ttl)
    if chains is None:
        chains = build_chains(config.cashier, settings)
    services = Services(settings, config, ledger, runner, tokens, chains)
    services.game_sessions = GameSessions(key, settings.game_session_ttl)
    services.metrics = instrument(services)
    services.jobs.extend(build_jobs(services))
    return services


def build_jobs(services: Services) -> list[Job]:
    """The scheduled jobs of every feature (docs/scheduler.md).

    A feature adds its jobs here, each an action over `services` for one
    period, idempotent for that period; jobs of one kind run in this order.
    """
    return [*unlock_jobs(services.ledger, services.projections),
            *cashback_jobs(services.ledger, services.projections),
            *expiry_jobs(services.ledger, services.projections),
            *services.cashier.jobs(),
            *checkpoint_jobs(services.ledger, services.projections, services.audit_signer)]


def create_schema(database_url: str, schema: str) -> None:
    url = urlparse(database_url)._replace(query="").geturl()
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
