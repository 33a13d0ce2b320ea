"""Blockchain adapters for the cashier: one protocol per job in
`chain/interfaces.py` (derivation, validation, block source, sender), the
adapters' errors in `chain/errors.py`, and adapters for EVM chains (web3),
Bitcoin (bitcoind JSON-RPC, bitcoinlib), Tron and Solana (validation).
See docs/chains.md. Never imports `api/`."""
