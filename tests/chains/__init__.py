"""Real local blockchains for tests (no mocks, no internet): an eth-tester EVM,
an anvil node when installed, and a Bitcoin regtest chain over JSON-RPC."""
