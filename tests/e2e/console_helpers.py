"""Staff for the console tests: accounts added as `staff add` does, and sign-ins
through the console's own forms (CSRF token, password, then the TOTP code)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.console.credentials import STEP_SECONDS, Credentials, code_at, new_secret
from api.console.sessions import new_id
from domain.kernel.clock import clock
from domain.staff.commands import AddStaff, EnrolTotp

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def add_staff(services: Services, name: str, role: str, brand: str | None = None) -> None:
    sealed = Credentials(services.settings.signing_key()).sealed_password(name, PASSWORD)
    services.ledger.execute(AddStaff(name, role=role, brand=brand, password=sealed,
                                     actor="cli:test"))


def csrf(client: TestClient, path: str = "/console/sign-in") -> str:
    return CSRF.search(client.get(path).text).group(1)


def sign_in(client: TestClient, name: str, code: str = "", password: str = PASSWORD,
            token: str | None = None):
    form = {"name": name, "password": password, "code": code,
            "csrf": token or csrf(client)}
    return client.post("/console/sign-in", data=form, follow_redirects=False)


def enrol(client: TestClient, name: str) -> str:
    """The first sign-in: password, then the code of the secret the page shows."""
    assert sign_in(client, name).headers["location"] == "/console/enrol"
    page = client.get("/console/enrol").text
    secret = SECRET.search(page).group(1)
    done = client.post("/console/enrol", data={
        "code": code_at(secret, clock.now()), "csrf": CSRF.search(page).group(1)},
        follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/", done.text
    return secret


def enrolled(services: Services, name: str, role: str) -> str:
    """An account whose second factor is enrolled (a step ago); its TOTP secret."""
    add_staff(services, name, role)
    secret = new_secret()
    sealed = Credentials(services.settings.signing_key()).seal(name, secret)
    step = int(clock.now().timestamp()) // STEP_SECONDS - 2
    services.ledger.execute(EnrolTotp(name, totp=sealed, step=step, session=new_id()))
    return secret
