"""The StaffAccount aggregate and the credentials: what a sign-in may not get past.

No database: the frozen ledger clock, the aggregate alone and an in-memory
replay; codes from pyotp at the clock's time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.application import Application

from api.console.credentials import Credentials, code_at, matched_step, new_secret
from domain.kernel.errors import Conflict, InvalidInput
from domain.staff.model import StaffAccount

LOCK = timedelta(minutes=15)


@pytest.fixture
def account(frozen_clock) -> StaffAccount:
    made = StaffAccount("fin-alice", "finance", None, "sealed", "cli:root")
    made.enrol_totp("sealed-secret", step=100, session="s1")
    return made


def test_a_code_is_accepted_once_and_never_an_earlier_one(account, frozen_clock):
    now = frozen_clock.now()
    assert account.refusal(now, True, 100) == "replayed code"
    assert account.refusal(now, True, 99) == "replayed code"
    assert account.refusal(now, True, None) == "code"
    assert account.refusal(now, False, 101) == "password"
    account.sign_in("s2", 101)
    assert (account.session, account.last_step) == ("s2", 101)
    with pytest.raises(Conflict):
        account.sign_in("s3", 101)


def test_failures_in_a_row_lock_until_the_time_or_an_unlock(account, frozen_clock):
    now = frozen_clock.now()
    for _ in range(3):
        account.fail("password", now, 3, LOCK)
    assert account.locked_at(now) and account.session == ""
    assert account.refusal(now, True, 200) == "locked"
    assert not account.locked_at(now + LOCK)
    account.unlock("cli:root", now)
    assert account.refusal(now, True, 200) == "" and account.failures == 0
    account.unlock("cli:root", now)  # nothing left to lift: nothing recorded
    assert [type(e).__name__ for e in account.collect_events()][-2:] == [
        "Locked", "Unlocked"]


def test_a_success_resets_the_count_and_replays_the_same(account, frozen_clock):
    now = frozen_clock.now()
    account.fail("code", now, 3, LOCK)
    account.fail("code", now, 3, LOCK)
    account.sign_in("s2", 101)
    account.fail("code", now, 3, LOCK)
    assert account.failures == 1 and not account.locked_at(now)
    account.sign_out("other")  # not its session: nothing
    account.sign_out("s2")
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.save(account)
    again = app.repository.get(account.id)
    assert (again.failures, again.session, again.last_step) == (1, "", 101)


def test_enrolment_is_once_and_a_new_password_starts_it_again(account):
    with pytest.raises(Conflict):
        account.enrol_totp("another", step=300, session="s9")
    account.set_password("sealed-2", "cli:root")
    assert not account.enrolled and account.session == ""


def test_names_roles_and_brands_are_checked():
    StaffAccount.check_new("ana", "compliance", "lucky-7")
    for name, role, brand in (("ana smith", "finance", None), ("ana", "player", None),
                              ("ana", "finance", "no brand")):
        with pytest.raises(InvalidInput):
            StaffAccount.check_new(name, role, brand)


def test_codes_match_their_step_within_one_step_of_drift(frozen_clock):
    secret, now = new_secret(), frozen_clock.now()
    step = int(now.timestamp()) // 30
    assert matched_step(secret, code_at(secret, now), now) == step
    assert matched_step(secret, code_at(secret, now - timedelta(seconds=30)), now) == step - 1
    assert matched_step(secret, code_at(secret, now + timedelta(seconds=60)), now) is None
    assert matched_step(secret, "12345a", now) is None


def test_sealed_credentials_are_bound_to_their_name_and_key():
    credentials = Credentials("k" * 40)
    sealed = credentials.sealed_password("ana", "correct horse battery")
    assert "correct horse" not in sealed and "argon2" not in sealed
    assert credentials.password_ok("ana", sealed, "correct horse battery")
    assert not credentials.password_ok("ana", sealed, "wrong horse battery")
    assert not credentials.password_ok("bo", sealed, "correct horse battery")
    assert not Credentials("j" * 40).password_ok("ana", sealed, "correct horse battery")
    assert not credentials.password_ok("ana", None, "correct horse battery")
    with pytest.raises(ValueError):
        credentials.sealed_password("ana", "short")
