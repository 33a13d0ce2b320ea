"""Observability: Prometheus metrics, structured logs (docs/operations.md).

`wiring.instrument(services)` (called by the composition root) builds the
metrics and hooks them where only the hot path knows a figure; `wiring.install
(app, settings)` adds the HTTP middleware and the `/metrics` route. Everything
else is read from the views at scrape time (`collectors.py`).
"""
