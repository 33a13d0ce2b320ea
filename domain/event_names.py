"""The public name of every event of every aggregate, chosen on purpose.

`<context>.<past-tense phrase>`: the context a reader knows (wallet, bet,
rakeback, ...), then what happened. The key is the event class's attribute on
its aggregate (`Wallet.Credited`), so moving a module renames nothing here.
domain/kernel/public_events.py turns events into `PublicEvent`s with these
names; docs/events.md describes each one.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.audit.model import AuditCheckpoint, AuditExport
from domain.audit.replay_run import ReplayRun
from domain.betting.games import Game
from domain.betting.model import Bet
from domain.betting.rounds import Round, Tombstone
from domain.bonus.model import BonusBook, BonusGrant
from domain.cashback.model import CashbackPeriod
from domain.cashback.realtime import RealtimeCashback
from domain.cashback.tally import CashbackTally
from domain.cashier.deposits.addresses import AddressBook, DepositAddress
from domain.cashier.deposits.model import Deposit
from domain.cashier.deposits.watch import ChainWatch
from domain.cashier.sweeps.model import DepositSweeps, SweepTopUp
from domain.cashier.treasury.funding import HotWalletFunding
from domain.cashier.treasury.health import TreasuryHealth
from domain.cashier.treasury.hot_wallet import HotWallet
from domain.cashier.treasury.reconciliation import ReconciliationReport
from domain.cashier.withdrawals.model import Withdrawal
from domain.commanding.request import Request
from domain.compliance.blocked import BlockedAttempt
from domain.compliance.watch import AbuseWatch
from domain.jobs.model import JobRun
from domain.kernel.fx import FxRates
from domain.players.model import Player
from domain.privacy.model import Profile
from domain.rakeback.model import RakebackAccount
from domain.staff.model import StaffAccount
from domain.wallet.model import Wallet

PUBLIC_NAMES: dict[type[Aggregate], dict[str, str]] = {
    Wallet: {
        "Opened": "wallet.opened",
        "Credited": "wallet.credited",
        "Debited": "wallet.debited",
        "Held": "wallet.held",
        "HoldReleased": "wallet.hold_released",
        "HoldSettled": "wallet.hold_settled",
        "HoldReinstated": "wallet.hold_reinstated",
        "BonusConverted": "wallet.bonus_converted",
        "BonusForfeited": "wallet.bonus_forfeited",
        "Locked": "wallet.locked",
        "Unlocked": "wallet.unlocked",
        "LockSettled": "wallet.lock_settled",
    },
    Player: {
        "Registered": "player.registered",
        "LimitsSet": "player.limits_set",
        "PlayRecorded": "player.play_recorded",
        "PlayReversed": "player.play_reversed",
        "Played": "player.played",
        "PlayUndone": "player.play_undone",
        "LevelChanged": "player.level_changed",
        "BrandJoined": "player.brand_joined",
        "KycStatusSet": "player.kyc_status_set",
        "ProfileSet": "player.profile_set",
        "CountrySet": "player.country_set",
        "RgLimitSet": "player.rg_limit_set",
        "TimeOutTaken": "player.time_out_taken",
        "CashierCounted": "player.cashier_counted",
        "ReviewHoldSet": "player.review_hold_set",
    },
    AbuseWatch: {
        "Opened": "compliance.watch_opened",
        "VoidsKept": "compliance.voids_kept",
        "PlayKept": "compliance.play_kept",
        "SignalRaised": "compliance.signal_raised",
    },
    BlockedAttempt: {
        "Recorded": "compliance.blocked_attempt_recorded",
    },
    Game: {
        "Configured": "game.configured",
        "Reconfigured": "game.reconfigured",
    },
    Bet: {
        "Placed": "bet.placed",
        "Settled": "bet.settled",
        "Refunded": "bet.refunded",
        "RolledBack": "bet.rolled_back",
    },
    Round: {
        "Opened": "round.opened",
        "BetAdded": "round.bet_added",
        "Closed": "round.closed",
    },
    Tombstone: {
        "Recorded": "bet.tombstone_recorded",
    },
    RakebackAccount: {
        "Opened": "rakeback.opened",
        "Accrued": "rakeback.accrued",
        "ClawedBack": "rakeback.clawed_back",
        "Unlocked": "rakeback.unlocked",
        "Forfeited": "rakeback.forfeited",
        "Claimed": "rakeback.claimed",
    },
    CashbackPeriod: {
        "Calculated": "cashback.calculated",
        "Skipped": "cashback.skipped",
        "Credited": "cashback.credited",
    },
    CashbackTally: {
        "Opened": "cashback.tally_opened",
        "PlayCounted": "cashback.play_counted",
        "PlayUncounted": "cashback.play_uncounted",
        "BonusCounted": "cashback.bonus_counted",
    },
    RealtimeCashback: {
        "Opened": "cashback.realtime_opened",
        "Paid": "cashback.realtime_paid",
    },
    BonusGrant: {
        "Granted": "bonus.granted",
        "Wagered": "bonus.wagered",
        "Completed": "bonus.completed",
        "Expired": "bonus.expired",
    },
    BonusBook: {
        "Opened": "bonus.book_opened",
        "GrantAdded": "bonus.book_grant_added",
        "GrantClosed": "bonus.book_grant_closed",
    },
    Deposit: {
        "Detected": "deposit.detected",
        "Credited": "deposit.credited",
        "Orphaned": "deposit.orphaned",
        "Redetected": "deposit.redetected",
        "Screened": "deposit.screened",
        "Held": "deposit.held",
        "Released": "deposit.released",
    },
    AddressBook: {
        "Opened": "deposit.address_book_opened",
        "Allocated": "deposit.address_allocated",
    },
    DepositAddress: {
        "Assigned": "deposit.address_assigned",
    },
    ChainWatch: {
        "Opened": "deposit.watch_opened",
        "BlockScanned": "deposit.block_scanned",
        "Rewound": "deposit.watch_rewound",
    },
    Withdrawal: {
        "Requested": "withdrawal.requested",
        "Approved": "withdrawal.approved",
        "Rejected": "withdrawal.rejected",
        "Deferred": "withdrawal.deferred",
        "NonceReserved": "withdrawal.nonce_reserved",
        "Signed": "withdrawal.signed",
        "Broadcast": "withdrawal.broadcast",
        "SendFailed": "withdrawal.send_failed",
        "Reverted": "withdrawal.reverted",
        "Mined": "withdrawal.mined",
        "Confirmed": "withdrawal.confirmed",
        "FeePaid": "withdrawal.fee_paid",
        "Retried": "withdrawal.retried",
        "Cancelled": "withdrawal.cancelled",
    },
    DepositSweeps: {
        "Opened": "sweep.opened",
        "TopUpSigned": "sweep.top_up_signed",
        "Signed": "sweep.signed",
        "FeePaid": "sweep.fee_paid",
        "Mined": "sweep.mined",
        "Failed": "sweep.failed",
    },
    SweepTopUp: {
        "Recorded": "sweep.top_up_recorded",
    },
    HotWallet: {
        "Opened": "treasury.hot_wallet_opened",
        "NonceReserved": "treasury.nonce_reserved",
    },
    HotWalletFunding: {
        "Funded": "treasury.hot_wallet_funded",
    },
    TreasuryHealth: {
        "Opened": "treasury.health_opened",
        "Checked": "treasury.health_checked",
    },
    ReconciliationReport: {
        "Reported": "treasury.reconciliation_reported",
    },
    FxRates: {
        "Started": "fx.opened",
        "RatesSet": "fx.rates_set",
    },
    AuditCheckpoint: {
        "Signed": "audit.checkpoint_signed",
    },
    AuditExport: {
        "Recorded": "audit.export_recorded",
    },
    ReplayRun: {
        "Requested": "audit.replay_requested",
        "Finished": "audit.replay_finished",
    },
    JobRun: {
        "Opened": "job.opened",
        "Started": "job.started",
        "Finished": "job.finished",
    },
    Request: {
        "Recorded": "request.recorded",
    },
    StaffAccount: {
        "Added": "staff.added",
        "PasswordSet": "staff.password_set",
        "TotpEnrolled": "staff.totp_enrolled",
        "SignedIn": "staff.signed_in",
        "SignInFailed": "staff.sign_in_failed",
        "Locked": "staff.locked",
        "SignedOut": "staff.signed_out",
        "Unlocked": "staff.unlocked",
    },
    Profile: {
        "Opened": "profile.opened",
        "Recorded": "profile.recorded",
        "Erased": "profile.erased",
    },
}

# Fields added to an event class after events of it were stored: the value an
# older event means. (Request records before requestIds were scoped to callers.)
ADDED_LATER: dict[type, dict[str, object]] = {
    Request.Recorded: {"caller": ""},
}
