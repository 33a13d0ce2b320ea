"""Hub88's published demo key mounted in the app: a vector's body and signature
pass the check at the door; the body changed by one byte, a signature by
another key and malformed headers do not."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from api.config.settings import Settings
from tests.e2e.hub88_fixtures import hub88_sign
from tests.hub88_vectors import PUBLIC_KEY, vectors

# The fourth vector is a Wallet-style body: {"game_id":132,"request_uuid":...,"token":...}
BODY, SIGNATURE = vectors()[3]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hub88_public_key": PUBLIC_KEY})


def post(client, raw: bytes, signature: str) -> dict:
    response = client.post("/hub88/user/balance", content=raw, headers={
        "X-Hub88-Signature": signature, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_published_vector_passes_the_signature_check(client):
    answer = post(client, BODY, SIGNATURE)
    # Past the signature: the body lacks `user`, so it is refused as malformed.
    assert answer == {"request_uuid": "583c985f-fee6-4c0e-bbf5-308aad6265af",
                      "status": "RS_ERROR_WRONG_SYNTAX"}


def test_a_vector_changed_by_one_byte_is_an_invalid_signature(client):
    changed = BODY.replace(b"132", b"133")
    assert post(client, changed, SIGNATURE)["status"] == "RS_ERROR_INVALID_SIGNATURE"
    assert post(client, BODY, SIGNATURE[:-4] + "AAA=")["status"] == (
        "RS_ERROR_INVALID_SIGNATURE")


def test_a_signature_by_another_key_or_a_malformed_header_is_refused(client):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert post(client, BODY, hub88_sign(other, BODY))["status"] == (
        "RS_ERROR_INVALID_SIGNATURE")
    for header in ("", "%%%", SIGNATURE[:20]):
        assert post(client, BODY, header)["status"] == "RS_ERROR_INVALID_SIGNATURE"
