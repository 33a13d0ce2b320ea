"""Our own v1 seamless-wallet contract: /v1/bets/place, /v1/rounds/settle, refunds, rollbacks."""
