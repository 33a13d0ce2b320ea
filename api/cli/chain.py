"""`casino-ledger chain`: the cashier's chain loops and checks, alone in a process.

`watch` follows each configured chain for deposits, `send` runs the
withdrawal worker, `sweep` the sweeper of deposit addresses (the only process that needs CASINO_LEDGER_HOT_KEYS),
`treasury` and `reconcile` run their checks now. `serve` also runs the loops
on its scheduler; running them here instead keeps keys off the API server.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

import typer

from api.cli.context import console, services
from domain.kernel.clock import clock
from schedulers.jobs.healing import Loops
from schedulers.jobs.runner import json_safe

chain_cli = typer.Typer(help="Chains: watch deposits, send withdrawals, treasury and "
                        "reconciliation.", no_args_is_help=True)


def loop(name: str, step: Callable[[], list[dict[str, Any]]], once: bool,
         seconds: int) -> None:
    """Run `step` now and then every `seconds` until interrupted (or once); a
    failure heals as on the scheduler (schedulers/jobs/healing.py)."""
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    loops = Loops()

    def interrupted(*_: Any) -> None:
        loops.stop()
        stop.set()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, interrupted)
    while True:
        summaries = loops.run(name, step, within=seconds)
        for summary in summaries or []:
            console.print(json.dumps(json_safe(summary)))
        if once and summaries is None:
            [status] = loops.status()
            console.print(f"[red]{name} did not get through[/red] "
                          f"({status['retries']} retries; {status['error'] or 'see the log'})")
            raise typer.Exit(1)
        if once or stop.wait(seconds):
            return


@chain_cli.command("watch")
def watch(once: bool = typer.Option(False, help="One pass, then exit."),
          seconds: int = typer.Option(15, help="Seconds between passes.")):
    """Follow every chain with a block source: record and credit deposits."""
    with services() as built:
        if not built.cashier.watchers():
            console.print("[red]no chain has a block source[/red] (cashier.chains.*.rpc_url)")
            raise typer.Exit(2)
        loop("deposit-watch", built.cashier.watch, once, seconds)


@chain_cli.command("send")
def send(once: bool = typer.Option(False, help="One pass, then exit."),
         seconds: int = typer.Option(30, help="Seconds between passes.")):
    """Send queued withdrawals from each hot wallet and confirm sent ones."""
    with services() as built:
        if not built.cashier.workers():
            console.print("[red]no chain has a hot wallet[/red] (CASINO_LEDGER_HOT_KEYS)")
            raise typer.Exit(2)
        loop("withdrawal-send", built.cashier.send, once, seconds)


@chain_cli.command("sweep")
def sweep(once: bool = typer.Option(False, help="One pass, then exit."),
          seconds: int = typer.Option(60, help="Seconds between passes.")):
    """Sweep deposit addresses into each hot wallet (needs CASINO_LEDGER_SWEEP_KEYS
    and CASINO_LEDGER_HOT_KEYS, for the gas of token sweeps)."""
    with services() as built:
        if not built.cashier.sweepers():
            console.print("[red]no chain sweeps[/red] (cashier.chains.*.sweep, "
                          "CASINO_LEDGER_SWEEP_KEYS, CASINO_LEDGER_HOT_KEYS)")
            raise typer.Exit(2)
        loop("deposit-sweep", built.cashier.sweep, once, seconds)


@chain_cli.command("treasury")
def treasury():
    """Check each hot wallet against user balances now (recorded)."""
    with services() as built:
        results = built.cashier.treasury().run(f"cli:{clock.now().isoformat()}")
        console.print(json.dumps(json_safe(results), indent=2))


@chain_cli.command("reconcile")
def reconcile(currency: list[str] = typer.Option(None, help="Default: every one.")):
    """Reconcile chain holdings with the books now (recorded); exit 1 on a discrepancy."""
    with services() as built:
        reports = built.cashier.reconciler().run(f"cli:{clock.now().isoformat()}",
                                                 currency or None)
        console.print(json.dumps(json_safe(reports), indent=2))
        if any(r.verdict != "balanced" for r in reports.values()):
            raise typer.Exit(1)
