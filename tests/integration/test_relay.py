"""The relay against the real NATS JetStream: every event once, in log order, as a
consumer reads it, through a restart, a SIGKILL, a broker restart and two relays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal

import pytest

from api.bootstrap import Services
from domain.cashier.deposits.addresses import AssignDepositAddress
from domain.cashier.deposits.commands import Incoming, OpenWatch, ScanBlock
from domain.cashier.withdrawals.commands import RequestWithdrawal
from domain.rakeback.commands import ClaimRakeback
from tests.factories import (
    SECRET,
    add_game,
    caught_up,
    config_file,
    credit,
    fresh_services,
    place_bet,
    set_vip_level,
    settle_bet,
)
from tests.integration.audit_helpers import bulk_credits
from tests.nats import MACHINE_NATS, ScratchNats, delete_stream, read_stream, stream  # noqa: F401
from tests.relay_helpers import (
    RelayThread,
    expected_messages,
    received,
    relay_toml,
    relay_until_caught_up,
    wait_for,
)

D = Decimal
MIXED = """
[cashback.programs.instant]
model = "realtime"
period = "daily"
[cashier]
approval_usd = "10000"
[cashier.chains.ethereum]
kind = "evm"
currencies = ["ETH", "USDT"]
confirmations = 2
"""


@pytest.fixture
def relayed(database_url, tmp_path, stream):  # noqa: F811 - the fixture above
    """Services whose relay publishes to this test's own stream."""
    name, prefix = stream
    config = config_file(tmp_path, MIXED + relay_toml(name, prefix))
    services = fresh_services(database_url, config=config)
    yield services
    services.close()


def mixed_history(services: Services) -> None:
    """Bets won and lost, real-time cashback, rakeback claimed, a deposit, a withdrawal."""
    add_game(services)
    set_vip_level(services, "p1", "Gold")
    credit(services, "p1", "USDT", "1000")
    for n in range(6):
        bet_id = place_bet(services, "p1", "10").result.bet_id
        settle_bet(services, bet_id, *(("WIN", "19.8") if n % 3 == 0 else ("LOSS",)))
    caught_up(services)  # rakeback accrues, real-time cashback is paid
    services.ledger.execute(ClaimRakeback("claim-1", "p1", "INSTANT", False, "seed"))
    ledger = services.ledger
    ledger.execute(OpenWatch("ethereum", 100, "0xb100"))
    address = ledger.execute(AssignDepositAddress(
        "p3", "ETH", derive=lambda index: f"0x{index + 1:040x}")).result.address
    ledger.execute(ScanBlock("ethereum", 101, "0xb101", "0xb100", (
        Incoming("ETH", "0xtx1", 0, address, D("2.5")),)))
    for height in range(102, 104):
        ledger.execute(ScanBlock("ethereum", height, f"0xb{height}", f"0xb{height - 1}"))
    ledger.execute(RequestWithdrawal("w-1", "p3", "ETH", D("1"), "0x" + "ab" * 20, 0, "p3"))
    caught_up(services)


def test_a_mixed_history_arrives_once_in_log_order_with_public_names_and_payloads(
        relayed, stream):  # noqa: F811
    name, prefix = stream
    mixed_history(relayed)
    relay_until_caught_up(relayed)
    messages = read_stream(MACHINE_NATS, name, prefix)
    assert received(messages) == expected_messages(relayed, prefix)
    types = {m["body"]["type"] for m in messages}
    assert {"bet.placed.v1", "bet.settled.v1", "rakeback.claimed.v1",
            "cashback.realtime_paid.v1", "deposit.credited.v1",
            "withdrawal.requested.v1", "wallet.credited.v1"} <= types
    first = messages[0]
    assert first["headers"]["Nats-Msg-Id"] == "1" and first["seq"] == 1
    body = first["body"]
    assert (body["specversion"], body["source"], body["datacontenttype"], body["id"]) == (
        "1.0", "urn:casino-ledger", "application/json", "1")
    assert body["time"].endswith("Z")
    placed = next(m["body"] for m in messages if m["body"]["type"] == "bet.placed.v1")
    credited = next(m["body"] for m in messages if m["body"]["type"] == "wallet.credited.v1")
    assert placed["subject"] == credited["subject"] == "p1"  # the player, not the wallet

    # Started again, the relay finds everything published: nothing goes twice.
    relay_until_caught_up(relayed)
    assert len(read_stream(MACHINE_NATS, name, prefix)) == len(messages)
    [status] = relayed.relays()
    assert status == {"name": f"relay:{name}", "position": relayed.ledger.head(),
                      "head": relayed.ledger.head(), "lag": 0, "error": None,
                      "retries": 0}


def test_a_selection_publishes_only_the_names_and_prefixes_configured(
        database_url, tmp_path, stream):  # noqa: F811
    name, prefix = stream
    config = config_file(tmp_path, MIXED + relay_toml(
        name, prefix, events='["bet", "wallet.credited"]'))
    services = fresh_services(database_url, config=config)
    try:
        mixed_history(services)
        relay_until_caught_up(services)
        got = received(read_stream(MACHINE_NATS, name, prefix))
        wanted = [m for m in expected_messages(services, prefix)
                  if m["type"].startswith("bet.") or m["type"] == "wallet.credited.v1"]
        assert got == wanted and {m["type"] for m in got} >= {"bet.placed.v1",
                                                              "wallet.credited.v1"}
    finally:
        services.close()


def relay_process(database_url: str, config, nats_url: str) -> subprocess.Popen:
    env = {**os.environ, "CASINO_LEDGER_DATABASE_URL": database_url,
           "CASINO_LEDGER_CONFIG": str(config), "CASINO_LEDGER_SECRET": SECRET,
           "CASINO_LEDGER_NATS_URL": nats_url}
    return subprocess.Popen([sys.executable, "-m", "api.cli.main", "relay", "run"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_relay_killed_mid_backlog_and_restarted_delivers_the_rest_once(
        relayed, database_url, stream):  # noqa: F811
    name, prefix = stream
    bulk_credits(relayed, "p1", 20_000, batch=2000)
    head = relayed.ledger.head()
    config = relayed.settings.config
    first = relay_process(database_url, config, MACHINE_NATS)
    try:
        wait_for(lambda: relayed.relays() and relayed.relays()[0]["position"] >= 2000,
                 what="the relay to start publishing")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    killed_at = relayed.relays()[0]["position"]
    assert 0 < killed_at < head, "the relay must die in the middle of the backlog"
    second = relay_process(database_url, config, MACHINE_NATS)
    try:
        wait_for(lambda: relayed.relays()[0]["position"] == head, what="the rest")
    finally:
        second.terminate()
        second.wait(timeout=20)
    positions = [m["body"]["logposition"] for m in read_stream(MACHINE_NATS, name, prefix)]
    assert positions == list(range(1, head + 1))


def test_publishing_while_nats_is_stopped_and_started_again_loses_nothing(
        database_url, tmp_path):
    broker = ScratchNats(tmp_path)
    broker.start()
    name, prefix = "OUTAGE", "outage"
    config = config_file(tmp_path, relay_toml(name, prefix))
    services = fresh_services(database_url, config=config, nats_url=broker.url)
    relay = RelayThread(services)
    try:
        bulk_credits(services, "p1", 5000, batch=1000)
        relay.start()
        wait_for(lambda: services.relays() and services.relays()[0]["position"] > 0,
                 what="the relay to start publishing")
        broker.stop()
        for n in range(20):  # the ledger takes commands while the broker is down
            credit(services, f"q{n}", "USDT", "1")
        wait_for(lambda: services.relays()[0]["error"] is not None,
                 what="the relay to note the outage")
        [status] = services.relays()
        assert status["lag"] > 0 and status["retries"] >= 1
        broker.start()
        head = services.ledger.head()
        wait_for(lambda: services.relays()[0]["position"] == head, what="the relay to catch up")
        wait_for(lambda: services.relays()[0]["error"] is None, what="the error to clear")
    finally:
        relay.stop()
        services.close()
    try:
        positions = [m["body"]["logposition"] for m in read_stream(broker.url, name, prefix)]
        assert positions == list(range(1, head + 1))
    finally:
        delete_stream(broker.url, name)
        broker.stop()


def test_two_relays_at_once_deliver_each_event_once_in_order(
        database_url, tmp_path, stream):  # noqa: F811
    name, prefix = stream
    # A lease longer than any pause of a busy machine: the second relay only waits.
    config = config_file(tmp_path, relay_toml(name, prefix, lease=20))
    services = fresh_services(database_url, config=config)
    try:
        bulk_credits(services, "p1", 3000, batch=1000)
        relays = [RelayThread(services).start(), RelayThread(services).start()]
        try:
            bulk_credits(services, "p2", 3000, batch=500)
            head = services.ledger.head()
            wait_for(lambda: services.relays()[0]["position"] == head, what="the relays")
        finally:
            for relay in relays:
                relay.stop()
    finally:
        services.close()
    positions = [m["body"]["logposition"] for m in read_stream(MACHINE_NATS, name, prefix)]
    assert positions == list(range(1, head + 1))
    assert sorted(r.relay.published for r in relays)[0] == 0  # one held the lease
