"""Hub88's X-Hub88-Signature: the five published vectors verify with Hub88's
demo key; a changed byte, another key and malformed headers do not."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.http.providers.hub88.signature import load_public_key, verifies
from tests.hub88_vectors import PUBLIC_KEY, vectors

KEY = load_public_key(PUBLIC_KEY)


def test_there_are_five_vectors():
    assert len(vectors()) == 5


@pytest.mark.parametrize(("data", "signature"), vectors())
def test_each_published_vector_verifies(data: bytes, signature: str):
    assert verifies(KEY, data, signature)


@pytest.mark.parametrize(("data", "signature"), vectors())
def test_a_body_changed_by_one_byte_is_refused(data: bytes, signature: str):
    changed = bytes([data[0] ^ 0x01]) + data[1:]
    assert not verifies(KEY, changed, signature)
    assert not verifies(KEY, data + b" ", signature)


@pytest.mark.parametrize(("data", "signature"), vectors())
def test_another_key_refuses_the_vectors(data: bytes, signature: str, tmp_path):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "other.pem"
    pem.write_bytes(other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert not verifies(load_public_key(pem), data, signature)


@pytest.mark.parametrize("header", [None, "", "not base64!", "c2hvcnQ=",
                                    base64.b64encode(b"\0" * 256).decode()])
def test_malformed_or_missing_headers_are_refused(header):
    data, _ = vectors()[0]
    assert not verifies(KEY, data, header)


def test_a_file_without_an_rsa_key_is_refused_at_start(tmp_path):
    pem = tmp_path / "nothing.pem"
    pem.write_text("not a key")
    with pytest.raises(ValueError, match="no RSA public key"):
        load_public_key(pem)
