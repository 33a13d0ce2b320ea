"""`casino-ledger audit verify | checkpoint | export | verify-export | public-key`
through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli.main import cli
from tests.factories import SECRET, caught_up, credit, fresh_services
from tests.integration.audit_helpers import corrupt

SEED = "33" * 32


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("CASINO_LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASINO_LEDGER_SECRET", SECRET)
    monkeypatch.setenv("CASINO_LEDGER_AUDIT_SIGNING_KEY", SEED)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["audit", *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def credited(database_url):
    built = fresh_services(database_url)
    try:
        credit(built, "p1", "BTC", "1.5")
        credit(built, "p2", "BTC", "2.5")
        caught_up(built)
        return [r["position"] for r in built.audit_chain.rows(0, 100, 100)
                if r["topic"].endswith("Wallet.Credited")]
    finally:
        built.close()


def test_export_then_verify_offline_with_the_printed_public_key(run, credited, tmp_path):
    out = tmp_path / "p1.csv"
    assert run("export", "--player", "p1", "--format", "csv", "--out", str(out)).exit_code == 0
    printed = run("public-key").output
    key = tmp_path / "key.pem"
    key.write_text(printed[printed.index("-----BEGIN"):])
    good = run("verify-export", str(out), "--public-key", str(key))
    assert good.exit_code == 0 and "OK 2 records" in good.output
    out.write_text(out.read_text().replace("1.50000000", "1.40000000"))
    bad = run("verify-export", str(out), "--public-key", str(key))
    assert bad.exit_code == 1
    assert f"position {credited[0]}: the record does not match its hash" in bad.output


def test_verify_passes_then_reports_the_first_altered_event(run, credited, database_url):
    assert run("checkpoint").exit_code == 0
    assert run("verify").exit_code == 0
    built = fresh_services(database_url)
    try:
        corrupt(built, credited[1], b'"2.50000000"', b'"3.50000000"')
    finally:
        built.close()
    result = run("verify")
    assert result.exit_code == 1
    assert f"broken at position {credited[1]}" in result.output


def test_export_of_a_time_range_and_a_refused_one(run, credited, tmp_path):
    out = tmp_path / "range.jsonl"
    ok = run("export", "--from", "2000-01-01T00:00:00Z", "--to", "2999-01-01T00:00:00+02:00",
             "--types", "Wallet.Credited", "--out", str(out))
    assert ok.exit_code == 0, ok.output
    assert len(out.read_text().splitlines()) == 3  # two credits and the manifest
    naive = run("export", "--from", "2026-01-01T00:00:00", "--out", str(out))
    assert naive.exit_code == 2 and "time zone" in naive.output
