"""Command results recorded before results were typed, read once, here.

Until issue 11, a Request record kept its command's result as the dict the
HTTP layer showed (`{"betId": ..., "balanceAfter": ...}`). A repeat of such a
request must still answer the same typed result, so each old kind's dict is
read into today's result type: camelCase keys to snake_case, a few renamed
fields, HTTP-only fields (a placed bet's `status`) left out. The ledger
registers these readers when it is built, beside the legacy topics.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, get_args, get_type_hints

from domain.audit.replay_run import ReplayRecord
from domain.betting.commands import BetPlaced, BetRefunded, BetRolledBack, RoundSettled
from domain.cashier.withdrawals.records import WithdrawalRecord
from domain.commanding.results import LEGACY_READERS, rebuilt
from domain.rakeback.commands import RakebackAccrued, RakebackClaimed, RakebackClawedBack
from domain.wallet.commands import WalletBalances

UPPER = re.compile(r"(?<=[a-z0-9])([A-Z])")

# A kind's family -> (its result type, old field names that changed).
OLD_RESULTS: dict[str, tuple[type, dict[str, str]]] = {
    "adjustment": (WalletBalances, {}),
    "bet": (BetPlaced, {}),
    "settlement": (RoundSettled, {}),
    "refund": (BetRefunded, {}),
    "rollback": (BetRolledBack, {}),
    "rakeback-accrual": (RakebackAccrued, {}),
    "rakeback-clawback": (RakebackClawedBack, {}),
    "rakeback-claim": (RakebackClaimed, {"type": "bucket"}),
    "withdrawal": (WithdrawalRecord, {"id": "withdrawal_id"}),
    "replay": (ReplayRecord, {}),
}


def register_legacy_results() -> None:
    """Make every old kind's results readable; calling it again changes nothing."""
    for family, (result_type, renamed) in OLD_RESULTS.items():
        LEGACY_READERS[family] = reader(result_type, renamed)


def reader(result_type: type, renamed: dict[str, str]) -> Callable[[dict[str, Any]], Any]:
    return lambda old: rebuilt(result_type, snake(result_type, old, renamed))


def snake(result_type: type, old: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    """An old result's fields by their domain names; nested results likewise,
    and data (a flip's record, amounts by bucket) as it was."""
    hints = get_type_hints(result_type)
    fields = {}
    for key, value in old.items():
        name = renamed.get(key) or UPPER.sub(r"_\1", key).lower()
        inner = get_args(hints.get(name))
        if isinstance(value, list) and inner and dataclasses.is_dataclass(inner[0]):
            value = [snake(inner[0], v, renamed) for v in value]
        fields[name] = value
    return fields
