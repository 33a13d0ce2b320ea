"""The [cashier] configuration section: chains, minimums, approvals, AML, treasury.

Documented in docs/configuration.md and docs/cashier.md. Chains default to
seed 004's (confirmations BTC 2, ETH 12, USDT on Tron 20, SOL 30, BNB 15);
a chain is watched and paid out only where its node and keys are configured.
Private keys never live here: the hot wallets' keys come from the
environment (CASINO_LEDGER_HOT_KEYS).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from api.config.types import Amount, Section
from domain.cashier.rules import (
    DEFAULT_CHAINS,
    DEFAULT_MIN_WITHDRAWAL,
    CashierRules,
    ChainRules,
)

KINDS = {"bitcoin": "bitcoin", "ethereum": "evm", "bsc": "evm", "tron": "tron",
         "solana": "solana"}


class TokenConfig(Section):
    contract: str
    decimals: int = Field(ge=0, le=36)


class SweepConfig(Section):
    """When a deposit address's balance of one currency moves to the hot wallet:
    at or above `threshold`, and/or every `every_seconds` (anything above
    `minimum`). One of the two is required."""

    threshold: Amount | None = Field(default=None, gt=0)
    every_seconds: int | None = Field(default=None, ge=60)
    minimum: Amount = Field(default=Decimal(0), ge=0)

    @model_validator(mode="after")
    def _when(self) -> SweepConfig:
        if self.threshold is None and self.every_seconds is None:
            raise ValueError("a sweep needs a threshold or every_seconds")
        return self


class ChainConfig(Section):
    kind: Literal["evm", "bitcoin", "tron", "solana"]
    currencies: list[str] = Field(min_length=1)
    confirmations: int = Field(ge=1, le=1000)
    network: str = "mainnet"
    xpub: str | None = None  # account-level extended PUBLIC key (BIP44 / BIP84)
    rpc_url: str | None = None
    chain_id: int | None = None
    tokens: dict[str, TokenConfig] = Field(default_factory=dict)
    start_height: int | None = Field(default=None, ge=0)
    cold_address: str | None = None
    cold_balances: dict[str, Amount] = Field(default_factory=dict)
    # EVM gas pricing: EIP-1559 (type 2) or the legacy gas price. Unset: legacy on
    # BSC (its validators price by gasPrice), EIP-1559 elsewhere.
    eip1559: bool | None = None
    token_gas_limit: int = Field(default=100_000, ge=21_000)
    # Tron: the genesis block the node must have (main net's when unset) and the
    # most a TRC-20 transfer may burn for energy, in sun.
    genesis_block: str | None = None  # Solana too: the cluster's genesis hash
    # Solana: the exported deposit addresses, one per line in index order.
    address_file: str | None = None
    fee_limit_sun: int = Field(default=30_000_000, ge=1)
    # Sweeps of the deposit addresses into the hot wallet, per currency.
    sweep: dict[str, SweepConfig] = Field(default_factory=dict)

    def uses_eip1559(self, name: str) -> bool:
        return self.eip1559 if self.eip1559 is not None else name != "bsc"


def default_chains() -> dict[str, ChainConfig]:
    return {c.name: ChainConfig(kind=KINDS[c.name], currencies=list(c.currencies),
                                confirmations=c.confirmations) for c in DEFAULT_CHAINS}


class CashierConfig(Section):
    chains: dict[str, ChainConfig] = Field(default_factory=default_chains)
    min_deposit: dict[str, Amount] = Field(default_factory=dict)
    min_withdrawal: dict[str, Amount] = Field(
        default_factory=lambda: dict(DEFAULT_MIN_WITHDRAWAL))
    approval_usd: Amount = Field(default=Decimal(10000), ge=0)
    second_approval_usd: Amount = Field(default=Decimal(100000), ge=0)
    max_risk_score: int = Field(default=7, ge=0, le=10)
    deny_list: list[str] = Field(default_factory=list)
    risk_scores: dict[str, int] = Field(default_factory=dict)
    hot_target: Amount = Field(default=Decimal("0.15"), gt=0, le=1)
    hot_alert: Amount = Field(default=Decimal("0.05"), ge=0, le=1)
    tolerance: Amount = Field(default=Decimal("0.0001"), ge=0)
    watch_seconds: int = Field(default=15, ge=1)
    send_seconds: int = Field(default=30, ge=1)
    sweep_seconds: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> CashierConfig:
        self.rules()  # one chain per currency, thresholds in order
        for name, chain in self.chains.items():
            unknown = set(chain.sweep) - set(chain.currencies)
            if unknown:
                raise ValueError(f"chains.{name}.sweep: {sorted(unknown)} not carried "
                                 "by the chain")
        if self.hot_alert > self.hot_target:
            raise ValueError("hot_alert is above hot_target")
        return self

    def currencies(self) -> set[str]:
        return {c for chain in self.chains.values() for c in chain.currencies}

    def rules(self) -> CashierRules:
        return CashierRules(
            chains=tuple(ChainRules(name, tuple(c.currencies), c.confirmations, c.network)
                         for name, c in self.chains.items()),
            min_deposit=self.min_deposit, min_withdrawal=self.min_withdrawal,
            approval_usd=self.approval_usd, second_approval_usd=self.second_approval_usd,
            max_risk_score=self.max_risk_score, deny_list=frozenset(self.deny_list),
            risk_scores=self.risk_scores, hot_target=self.hot_target,
            hot_alert=self.hot_alert, tolerance=self.tolerance)
