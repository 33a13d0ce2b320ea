"""Game providers' wallet protocols, one adapter each.

An adapter parses and verifies a provider's request in the provider's own
terms, maps it to the ledger's commands (domain/betting), and renders the
result, or the refusal, as the provider's response and status codes. `v1` is
this project's own contract (HMAC-signed JSON, place then settle per round);
`hub88` is Hub88's Operator Wallet API. A new protocol is a new package here
beside them (docs/providers.md, "Adding a protocol").
"""
