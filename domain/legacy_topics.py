"""Topics of events and snapshots stored before the modules moved into context
folders (issue 11), and the classes they name now.

A stored event names its class by module path (`domain.wallet:Wallet.Credited`),
and a snapshot names its aggregate (`domain.wallet:Wallet`). Each old aggregate
topic is registered here, once; the library then resolves the topics of that
aggregate's events through it (`domain.wallet:Wallet.Credited` is found as
`Credited` on the class registered for `domain.wallet:Wallet`). Events saved
since carry their new topics. The ledger application registers them when it is
built, so every process that reads the log can read old records.

tests/integration/test_legacy_log.py replays a log written before the move.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from domain.audit.model import AuditCheckpoint, AuditExport
from domain.audit.replay_run import ReplayRun
from domain.betting.games import Game
from domain.betting.model import Bet
from domain.bonus.model import BonusBook, BonusGrant
from domain.cashback.model import CashbackPeriod
from domain.cashback.realtime import RealtimeCashback
from domain.cashback.tally import CashbackTally
from domain.cashier.deposits.addresses import AddressBook, DepositAddress
from domain.cashier.deposits.model import Deposit
from domain.cashier.deposits.watch import ChainWatch
from domain.cashier.treasury.funding import HotWalletFunding
from domain.cashier.treasury.health import TreasuryHealth
from domain.cashier.treasury.hot_wallet import HotWallet
from domain.cashier.treasury.reconciliation import ReconciliationReport
from domain.cashier.withdrawals.model import Withdrawal
from domain.commanding.request import Request
from domain.jobs.model import JobRun
from domain.kernel.fx import FxRates
from domain.players.model import Player
from domain.rakeback.model import RakebackAccount
from domain.wallet.model import Wallet

# The old topic of each aggregate -> its class today.
LEGACY_TOPICS: dict[str, type[Aggregate]] = {
    "domain.fx:FxRates": FxRates,
    "domain.request:Request": Request,
    "domain.wallet:Wallet": Wallet,
    "domain.player:Player": Player,
    "domain.bet:Bet": Bet,
    "domain.game:Game": Game,
    "domain.rakeback:RakebackAccount": RakebackAccount,
    "domain.cashback:CashbackPeriod": CashbackPeriod,
    "domain.cashback_realtime:RealtimeCashback": RealtimeCashback,
    "domain.cashback_tally:CashbackTally": CashbackTally,
    "domain.bonus:BonusGrant": BonusGrant,
    "domain.bonus:BonusBook": BonusBook,
    "domain.deposit:Deposit": Deposit,
    "domain.deposit_address:AddressBook": AddressBook,
    "domain.deposit_address:DepositAddress": DepositAddress,
    "domain.deposit_watch:ChainWatch": ChainWatch,
    "domain.withdrawal:Withdrawal": Withdrawal,
    "domain.hot_wallet:HotWallet": HotWallet,
    "domain.treasury:TreasuryHealth": TreasuryHealth,
    "domain.treasury_funding:HotWalletFunding": HotWalletFunding,
    "domain.reconciliation:ReconciliationReport": ReconciliationReport,
    "domain.audit:AuditCheckpoint": AuditCheckpoint,
    "domain.audit:AuditExport": AuditExport,
    "domain.replay_run:ReplayRun": ReplayRun,
    "domain.job_run:JobRun": JobRun,
}


def register_legacy_topics() -> None:
    """Make every old topic resolve; calling it again changes nothing."""
    for topic, cls in LEGACY_TOPICS.items():
        register_topic(topic, cls)

