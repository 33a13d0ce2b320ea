"""StaffAccount: a back-office person's role, sealed credentials and sign-in record.

Credentials arrive sealed (api/console/credentials.py): the log holds
ciphertext, never a password, a password hash in clear or a TOTP secret. The
account holds the rules that must hold across processes: repeated failures
lock it for a while, a TOTP time step is accepted once (a code seen again is a
replay), and one session is live at a time (a new sign-in ends the old one).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.clock import clock
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.ids import natural_id
from domain.kernel.text import check_id

# The roles a person can hold (players and providers are callers, not staff).
STAFF_ROLES = ("operator", "finance", "compliance", "regulator")


class StaffAccount(LedgerAggregate):
    @staticmethod
    def create_id(name: str, **_: Any) -> UUID:
        return staff_key(name)

    @event("Added")
    def __init__(self, name: str, role: str, brand: str | None, password: str,
                 actor: str):
        self.name = name
        self.role = role
        self.brand = brand  # None: the whole group (brands may scope it later)
        self.password = password  # sealed argon2 hash
        self.totp = ""  # sealed TOTP secret; empty until enrolled
        self.failures = 0
        self.locked_until: datetime | None = None
        self.last_step = 0
        self.session = ""

    @staticmethod
    def check_new(name: str, role: str, brand: str | None) -> None:
        check_id(name, "name")
        if role not in STAFF_ROLES:
            raise InvalidInput(f"role: {role!r} is not one of {', '.join(STAFF_ROLES)}",
                               field="role")
        if brand is not None:
            check_id(brand, "brand")

    @property
    def enrolled(self) -> bool:
        return bool(self.totp)

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    # Commands

    def set_password(self, sealed: str, actor: str) -> None:
        """A new password; the second factor is enrolled again at the next sign-in."""
        self._password_set(sealed, actor)

    def enrol_totp(self, sealed: str, step: int, session: str) -> None:
        if self.enrolled:
            raise Conflict("the second factor is already enrolled")
        self._totp_enrolled(sealed, step)
        self._signed_in(session, step)

    def refusal(self, now: datetime, password_ok: bool, step: int | None) -> str:
        """Why a sign-in with these verdicts is refused ("": it is not)."""
        return ("locked" if self.locked_at(now) else
                "password" if not password_ok else
                "" if not self.enrolled else
                "code" if step is None else
                "replayed code" if step <= self.last_step else "")

    def sign_in(self, session: str, step: int) -> None:
        if self.refusal(clock.now(), True, step):
            raise Conflict("sign-in refused")
        self._signed_in(session, step)

    def fail(self, reason: str, now: datetime, max_failures: int,
             lock_for: timedelta) -> None:
        self._sign_in_failed(reason)
        if self.failures >= max_failures and not self.locked_at(now):
            self._locked(now + lock_for)

    def sign_out(self, session: str) -> None:
        if session and session == self.session:
            self._signed_out(session)

    def unlock(self, actor: str, now: datetime) -> None:
        if self.locked_at(now) or self.failures:
            self._unlocked(actor)

    # Events

    @event("PasswordSet")
    def _password_set(self, password: str, actor: str) -> None:
        self.password, self.totp, self.session = password, "", ""

    @event("TotpEnrolled")
    def _totp_enrolled(self, totp: str, step: int) -> None:
        self.totp = totp

    @event("SignedIn")
    def _signed_in(self, session: str, step: int) -> None:
        self.session, self.last_step, self.failures = session, step, 0

    @event("SignInFailed")
    def _sign_in_failed(self, reason: str) -> None:
        self.failures += 1

    @event("Locked")
    def _locked(self, until: datetime) -> None:
        self.locked_until, self.session = until, ""

    @event("SignedOut")
    def _signed_out(self, session: str) -> None:
        self.session = ""

    @event("Unlocked")
    def _unlocked(self, actor: str) -> None:
        self.locked_until, self.failures = None, 0


def staff_key(name: str) -> UUID:
    return natural_id("staff", name)
