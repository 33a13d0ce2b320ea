"""Commands on staff accounts: add, set a password, enrol a second factor, sign in and out.

The edges do the slow and secret work (hashing, sealing, checking a code's
time step) and send the verdicts here, where the account's rules decide
atomically: a failure counts towards the lock-out and a time step is spent
once, even when two sign-ins race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.clock import clock
from domain.kernel.errors import Conflict, NotFound
from domain.staff.model import StaffAccount, staff_key


@command_result("staff-account")
@dataclass(frozen=True)
class StaffStatus:
    name: str
    role: str
    brand: str | None
    enrolled: bool
    locked: bool


@command_result("staff-sign-in")
@dataclass(frozen=True)
class SignInOutcome:
    """`session` when signed in; else `refusal` (or `enrol`: the password was
    right and the second factor is still to be enrolled)."""

    name: str
    role: str
    brand: str | None
    session: str = ""
    refusal: str = ""
    enrol: bool = False


def account_of(uow: UnitOfWork, name: str) -> StaffAccount:
    found = uow.find(staff_key(name))
    if not isinstance(found, StaffAccount):
        raise NotFound(f"no staff account {name!r}", field="name")
    return found


def status(account: StaffAccount) -> StaffStatus:
    return StaffStatus(account.name, account.role, account.brand, account.enrolled,
                       account.locked_at(clock.now()))


@dataclass(frozen=True)
class StaffCommand:
    kind: ClassVar[str] = "staff"
    request_id: ClassVar[None] = None
    name: str

    @property
    def partition(self) -> str:
        return f"staff:{self.name}"


@dataclass(frozen=True)
class AddStaff(StaffCommand):
    kind: ClassVar[str] = "staff-add"
    role: str
    brand: str | None
    password: str  # sealed hash
    actor: str

    def decide(self, uow: UnitOfWork) -> StaffStatus:
        StaffAccount.check_new(self.name, self.role, self.brand)
        if uow.find(staff_key(self.name)) is not None:
            raise Conflict(f"staff account {self.name!r} exists; set its password instead")
        return status(uow.add(StaffAccount(self.name, self.role, self.brand,
                                           self.password, self.actor)))


@dataclass(frozen=True)
class SetPassword(StaffCommand):
    kind: ClassVar[str] = "staff-password"
    password: str  # sealed hash
    actor: str

    def decide(self, uow: UnitOfWork) -> StaffStatus:
        account = account_of(uow, self.name)
        account.set_password(self.password, self.actor)
        return status(account)


@dataclass(frozen=True)
class Unlock(StaffCommand):
    kind: ClassVar[str] = "staff-unlock"
    actor: str

    def decide(self, uow: UnitOfWork) -> StaffStatus:
        account = account_of(uow, self.name)
        account.unlock(self.actor, clock.now())
        return status(account)


@dataclass(frozen=True)
class RecordSignIn(StaffCommand):
    """A sign-in attempt with the edge's verdicts: was the password right, and
    which time step did the code match (None: it matched none)."""

    kind: ClassVar[str] = "staff-sign-in"
    session: str
    password_ok: bool
    step: int | None
    max_failures: int
    lock_minutes: int

    def decide(self, uow: UnitOfWork) -> SignInOutcome:
        account = account_of(uow, self.name)
        now = clock.now()
        refusal = account.refusal(now, self.password_ok, self.step)
        who = (account.name, account.role, account.brand)
        if refusal:
            account.fail(refusal, now, self.max_failures,
                         timedelta(minutes=self.lock_minutes))
            return SignInOutcome(*who, refusal=refusal)
        if not account.enrolled:
            return SignInOutcome(*who, enrol=True)
        assert self.step is not None
        account.sign_in(self.session, self.step)
        return SignInOutcome(*who, session=self.session)


@dataclass(frozen=True)
class EnrolTotp(StaffCommand):
    """The first sign-in's second step: the sealed secret and the step its first
    code matched, which signs the person in."""

    kind: ClassVar[str] = "staff-enrol"
    totp: str  # sealed secret
    step: int
    session: str

    def decide(self, uow: UnitOfWork) -> SignInOutcome:
        account = account_of(uow, self.name)
        account.enrol_totp(self.totp, self.step, self.session)
        return SignInOutcome(account.name, account.role, account.brand,
                             session=self.session)


@dataclass(frozen=True)
class SignOut(StaffCommand):
    kind: ClassVar[str] = "staff-sign-out"
    session: str

    def decide(self, uow: UnitOfWork) -> StaffStatus:
        account = account_of(uow, self.name)
        account.sign_out(self.session)
        return status(account)
