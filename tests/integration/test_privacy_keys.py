"""Data keys on SQLite and PostgreSQL: rotation re-wraps them under a new master
key (the sealed profiles never change), and a key destroyed is gone for good."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr

from domain.privacy.crypto import MasterKeys, Unreadable, new_data_key, seal, unseal
from tests.factories import caught_up, fresh_services

PROFILE = {"name": "Ada", "email": "ada@example.org", "dateOfBirth": "1990-01-01",
           "country": "GB", "address": "1 Loop Road"}
K1, K2 = secrets.token_hex(32), secrets.token_hex(32)


def keys(current: str, **hexes: str) -> dict:
    return {"privacy_master_keys": {k: SecretStr(v) for k, v in hexes.items()},
            "privacy_key_id": current}


def test_rotation_rewraps_every_key_and_the_old_master_key_can_then_go(database_url):
    first = fresh_services(database_url, **keys("k1", k1=K1))
    first.privacy.record("p1", PROFILE)
    sealed = caught_up(first).privacy.profiles.of("p1")["sealed"]
    first.close()
    both = fresh_services(database_url, **keys("k2", k1=K1, k2=K2))
    assert both.privacy.keys.rotate() == 1 and both.privacy.keys.rotate() == 0
    both.close()
    last = fresh_services(database_url, **keys("k2", k2=K2))
    try:
        read = caught_up(last).privacy.read("p1")
        assert read["profile"] == PROFILE and last.privacy.profiles.of("p1")["sealed"] == sealed
    finally:
        last.close()


def test_a_sealed_profile_opens_only_with_its_players_key():
    key = new_data_key()
    sealed = seal(key, "p1", PROFILE)
    assert sealed == seal(key, "p1", PROFILE)  # the same profile: the same text
    assert unseal(key, "p1", sealed) == PROFILE
    for other_key, player in ((new_data_key(), "p1"), (key, "p2")):
        with pytest.raises(Unreadable):
            unseal(other_key, player, sealed)
    master = MasterKeys({"k1": bytes.fromhex(K1)}, "k1")
    key_id, wrapped = master.wrap("p1", key)
    assert master.unwrap("p1", key_id, wrapped) == key
    with pytest.raises(Unreadable):
        master.unwrap("p2", key_id, wrapped)  # a key wrapped for another player
