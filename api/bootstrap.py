"""The composition root: builds the ledger, its views and the runner from settings.

Nothing is built at import time; the HTTP app, the CLI and the tests all call
`bootstrap` and get the same wiring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

import psycopg
from psycopg import sql

from api.auth import TokenIssuer
from api.config import BusinessConfig, load_config
from api.settings import Settings, eventsourcing_env
from domain.ledger import Ledger
from projections.balances import BalancesView
from projections.bets import BetsView
from projections.database import ViewDatabase
from projections.journal import JournalView
from projections.ledger_entries import LedgerEntriesView
from projections.pnl import PnlView
from projections.runner import ProjectionRunner


@dataclass
class Services:
    settings: Settings
    config: BusinessConfig
    ledger: Ledger
    projections: ProjectionRunner
    tokens: TokenIssuer
    balances: BalancesView = field(init=False)
    ledger_entries: LedgerEntriesView = field(init=False)
    journal: JournalView = field(init=False)
    bets: BetsView = field(init=False)
    pnl: PnlView = field(init=False)

    def __post_init__(self) -> None:
        views = self.projections.views
        self.balances = views["balances"]
        self.ledger_entries = views["ledger_entries"]
        self.journal = views["journal"]
        self.bets = views["bets"]
        self.pnl = views["pnl"]

    def close(self) -> None:
        self.projections.stop()
        self.ledger.close()


def bootstrap(settings: Settings | None = None) -> Services:
    settings = settings or Settings()
    config = load_config(settings.config)
    env = eventsourcing_env(settings.database_url)
    if env.get("POSTGRES_SCHEMA"):
        create_schema(settings.database_url, env["POSTGRES_SCHEMA"])
    ledger = Ledger(env=env, rules=config.rules(),
                    group_commit=settings.group_commit)
    db = ViewDatabase(ledger.recorder.datastore)  # type: ignore[attr-defined]
    views = [BalancesView(db), LedgerEntriesView(db), JournalView(db), BetsView(db),
             PnlView(db)]
    runner = ProjectionRunner(ledger.recorder, ledger.mapper, views)
    ledger.commands.on_saved.append(runner.wake)
    tokens = TokenIssuer(settings.signing_key(), default_ttl=settings.token_ttl)
    return Services(settings, config, ledger, runner, tokens)


def create_schema(database_url: str, schema: str) -> None:
    url = urlparse(database_url)._replace(query="").geturl()
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
