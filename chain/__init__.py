"""Blockchain adapters (web3, bitcoinlib); they arrive with the cashier issue."""
