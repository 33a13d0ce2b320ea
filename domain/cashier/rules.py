"""The cashier's rules from configuration: chains, minimums, approvals, AML, treasury.

Seed 004 gives the defaults: confirmations BTC 2, ETH 12, USDT_TRC20 20,
SOL 30, BNB 15; withdrawal minimums BTC 0.0001, ETH 0.005, USDT_TRC20 5;
manual approval above 10,000 USD; AML risk above 7 refused; hot wallet target
15% of user balances, alert under 5%; a reconciliation discrepancy above
0.0001 is an alert. A ledger currency is carried by one chain (USDT by Tron
by default, as the seed's USDT_TRC20); the currencies of one chain share each
player's deposit address on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.kernel.errors import InvalidInput


@dataclass(frozen=True)
class ChainRules:
    """One chain: its currencies (the native coin first) and confirmations."""

    name: str
    currencies: tuple[str, ...]
    confirmations: int
    network: str = "mainnet"


DEFAULT_CHAINS = (
    ChainRules("bitcoin", ("BTC",), 2),
    ChainRules("ethereum", ("ETH", "USDC"), 12),
    ChainRules("tron", ("TRX", "USDT"), 20),
    ChainRules("solana", ("SOL",), 30),
    ChainRules("bsc", ("BNB",), 15),
)
DEFAULT_MIN_WITHDRAWAL = {"BTC": Decimal("0.0001"), "ETH": Decimal("0.005"),
                          "USDT": Decimal(5)}


@dataclass(frozen=True)
class CashierRules:
    chains: tuple[ChainRules, ...] = DEFAULT_CHAINS
    min_deposit: Mapping[str, Decimal] = field(default_factory=dict)
    min_withdrawal: Mapping[str, Decimal] = field(
        default_factory=lambda: dict(DEFAULT_MIN_WITHDRAWAL))
    default_min_withdrawal: Decimal = Decimal(1)
    approval_usd: Decimal = Decimal(10000)
    second_approval_usd: Decimal = Decimal(100000)
    max_risk_score: int = 7
    deny_list: frozenset[str] = frozenset()
    risk_scores: Mapping[str, int] = field(default_factory=dict)
    hot_target: Decimal = Decimal("0.15")
    hot_alert: Decimal = Decimal("0.05")
    tolerance: Decimal = Decimal("0.0001")

    def __post_init__(self) -> None:
        seen = [c for chain in self.chains for c in chain.currencies]
        if len(seen) != len(set(seen)):
            raise ValueError("a currency is carried by one chain only")
        if self.second_approval_usd < self.approval_usd:
            raise ValueError("the second approval threshold is below the first")

    def chain(self, name: str) -> ChainRules:
        for chain in self.chains:
            if chain.name == name:
                return chain
        raise InvalidInput(f"chain: unknown chain {name!r}", field="chain")

    def chain_of(self, currency: str) -> ChainRules:
        """The chain that carries `currency`; InvalidInput if none does."""
        for chain in self.chains:
            if currency in chain.currencies:
                return chain
        raise InvalidInput(f"currency: {currency} is not carried by any configured "
                           "chain", field="currency")

    def minimum_withdrawal(self, currency: str) -> Decimal:
        return self.min_withdrawal.get(currency, self.default_min_withdrawal)

    def approvals_needed(self, usd: Decimal) -> int:
        """Four eyes above the first threshold, six above the second."""
        if usd > self.second_approval_usd:
            return 2
        return 1 if usd > self.approval_usd else 0
