"""GET /v1/audit/events and the chain's checkpoints over HTTP: roles, formats, and an
export that verifies offline with the public key the API publishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.audit.export_verify import verify_export
from domain.audit.signing import public_key


def download(client, headers, tmp_path: Path, query: str = "", name: str = "export"):
    response = client.get(f"/v1/audit/events{query}", headers=headers)
    path = tmp_path / name
    path.write_bytes(response.content)
    return response, path


def published_key(client, headers):
    response = client.get("/v1/audit/keys/current", headers=headers)
    assert response.status_code == 200, response.text
    return public_key(response.json()["publicKeyHex"])


@pytest.mark.parametrize("role", ["regulator", "compliance"])
def test_auditors_stream_an_export_that_verifies_offline(client, auth, adjust, tmp_path,
                                                        role):
    adjust(playerId="p1", amount="1.5")
    adjust(playerId="p2", amount="2")
    headers = auth(role, "auditor-1")
    response, path = download(client, headers, tmp_path, "?playerId=p1")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    report = verify_export(path, published_key(client, headers))
    assert report.ok, report.problems
    assert report.count == 2  # p1's wallet opened and credited
    assert report.manifest["exportedBy"] == {"subject": "auditor-1", "role": role}
    assert report.manifest["exportId"] == response.headers["x-export-id"]


def test_a_csv_export_verifies_and_a_tampered_one_fails(client, auth, adjust, tmp_path):
    adjust(playerId="p1", amount="1.5")
    headers = auth("regulator")
    response, path = download(client, headers, tmp_path, "?format=csv&types=Wallet.Credited")
    assert response.headers["content-type"].startswith("text/csv")
    key = published_key(client, headers)
    assert verify_export(path, key).ok
    path.write_text(path.read_text().replace("1.50000000", "1.60000000"))
    assert [p.position for p in verify_export(path, key).problems][:1] == [2]


@pytest.mark.parametrize("version", ["1", "2", None])
def test_format_2_by_default_and_format_1_on_request(client, auth, adjust, tmp_path,
                                                     version):
    adjust(playerId="p1", amount="1.5")
    headers = auth("regulator")
    query = "?playerId=p1" + (f"&formatVersion={version}" if version else "")
    response, path = download(client, headers, tmp_path, query)
    assert response.status_code == 200, response.text
    report = verify_export(path, published_key(client, headers))
    assert report.ok, report.problems
    assert report.manifest["format"] == f"casino-ledger-audit-export/{version or 2}"
    first = path.read_text().splitlines()[0]
    assert ('"name":"wallet.opened"' in first) == (version != "1")


@pytest.mark.parametrize("role", ["player", "operator", "finance", "provider"])
def test_other_roles_may_not_export(client, auth, role):
    assert client.get("/v1/audit/events", headers=auth(role, "p1")).status_code == 403
    assert client.get("/v1/audit/checkpoints", headers=auth(role, "p1")).status_code == 403


def test_an_export_needs_a_token(client):
    assert client.get("/v1/audit/events").status_code == 401


@pytest.mark.parametrize("query", ["?format=xml", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                                   "?from=2026-01-01T00:00:00", "?types=Wallet.Creditd",
                                   "?types=Wallet.Credited,Nope.Happened", "?playerId=",
                                   "?types=domain.wallet.model:Wallet.Credit",
                                   "?formatVersion=3", "?formatVersion=two"])
def test_a_bad_selection_is_a_422_and_records_nothing(client, auth, log_head, query):
    head = log_head()
    response = client.get(f"/v1/audit/events{query}", headers=auth("regulator"))
    assert response.status_code == 422, response.text
    assert log_head() == head


def test_compliance_signs_a_checkpoint_that_auditors_can_list(client, auth, adjust):
    adjust(playerId="p1", amount="1")
    assert client.post("/v1/audit/checkpoints", headers=auth("regulator")).status_code == 403
    taken = client.post("/v1/audit/checkpoints", headers=auth("compliance", "c-1"))
    assert taken.status_code == 200, taken.text
    wanted = {k: v for k, v in taken.json().items() if k != "recordedAt"}
    listed = client.get("/v1/audit/checkpoints", headers={
        **auth("regulator"), "X-Min-Position": str(taken.json()["recordedAt"])})
    assert listed.status_code == 200
    assert listed.json()["checkpoints"] == [wanted]


def test_a_checkpoint_of_an_empty_log_is_a_409(client, auth):
    assert client.post("/v1/audit/checkpoints", headers=auth("compliance")).status_code == 409
