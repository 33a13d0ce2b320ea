"""Domain errors map to HTTP statuses by class, subclasses included."""

from __future__ import annotations

from api.http.errors import status_of
from domain.kernel.errors import Conflict, DomainError, InvalidInput, NotFound


class AddressRefused(InvalidInput):
    """A feature's own kind of invalid input."""


class AlreadyDone(Conflict):
    pass


def test_a_subclass_gets_the_status_of_its_parent():
    assert status_of(AddressRefused("bad checksum", field="destination")) == 422
    assert status_of(AlreadyDone("twice")) == 409


def test_the_known_errors_and_an_unmapped_one():
    assert status_of(InvalidInput("x")) == 422
    assert status_of(NotFound("x")) == 404
    assert status_of(DomainError("x")) == 400
