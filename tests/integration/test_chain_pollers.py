"""The scheduler runs the chain loops: a deposit on eth-tester is credited by the
deposit-watch poller and a withdrawal sent by the withdrawal-send poller, with
no call from the test (intervals of one second)."""

from __future__ import annotations

import time
from decimal import Decimal

from eth_account import Account

from schedulers.jobs.catalogue import JobCatalogue
from schedulers.jobs.pollers import Poller
from schedulers.jobs.runner import JobRunner
from schedulers.jobs.service import JobScheduler
from tests.cashier_chains import evm_services
from tests.chains.evm import EthTesterEvm

D = Decimal


def eventually(check, seconds: float = 60) -> None:  # float-ok: seconds
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the poller did not get there in time"
        time.sleep(0.1)


def test_the_scheduler_watches_deposits_and_sends_withdrawals(settings, tmp_path):
    evm = EthTesterEvm()
    services = evm_services(settings, tmp_path, evm,
                            extra="watch_seconds = 1\nsend_seconds = 1")
    try:
        assert [p.name for p in services.scheduler.pollers] == ["deposit-watch",
                                                                "withdrawal-send"]
        services.cashier.watch()
        address = services.cashier.deposit_address("p1", "ETH").result.address
        evm.pay(address, D(3))
        evm.mine(11)
        services.scheduler.start()
        eventually(lambda: (w := services.ledger.wallet("p1", "ETH")) and w.cash == 3)
        request = services.cashier.request_withdrawal(
            request_id="w-1", player_id="p1", currency="ETH", amount=D(1),
            destination=Account.create().address, requested_by="p1").result
        eventually(lambda: services.withdrawals.rows(status="sent") != [])
        assert services.withdrawals.rows(status="sent")[0]["id"] == request.withdrawal_id
    finally:
        services.close()


def test_a_failing_poller_is_logged_counted_and_ticks_again(caplog):
    def down() -> None:
        raise ConnectionError("node down")

    scheduler = JobScheduler(JobRunner(None, JobCatalogue(), None),
                             pollers=[Poller("deposit-watch", 1, down)])
    assert scheduler.poll(scheduler.pollers[0]) is None
    assert "loop deposit-watch failed at its step (node down)" in caplog.text
    assert scheduler.loops.status()[1] == {"name": "deposit-watch", "retries": 3,
                                           "error": "stopped at its step: node down"}
