"""Records built once per test module, for the permission matrices.

A matrix runs thousands of cases — every page or endpoint × every role — over the same few records. Building
those records for each case was most of the matrices' time. Here they are written once per module, in a
transaction that is rolled back after the module's last test; each test runs in a savepoint inside it
(pytest-django's `db`), so what a test writes is undone after it and the next test finds the records as
built. Only for modules whose every database test uses these records: another test there would see them too.

    _built_once, users_by_role, records = world_per_module(build)

where `build(users_by_role, organ)` returns the records (the unit administrator is scoped to `organ`).
"""

import copy
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.db import transaction

from tests.conftest import users_for_every_role
from tests.factories import OrganFactory


@contextmanager
def rolled_back_at_the_end(django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def world_per_module(build: Callable, *, name: str = "records"):
    """Three fixtures for a matrix module: the module-scoped build, and each test's own copy of the users by
    role and of the records (a deep copy: what a test does to the Python objects, such as refresh_from_db,
    does not reach the next test)."""

    @pytest.fixture(scope="module", name="_built_once")
    def built_once(django_db_setup, django_db_blocker):
        with rolled_back_at_the_end(django_db_blocker):
            organ = OrganFactory()
            users = users_for_every_role(organ)
            yield users, build(users, organ)

    @pytest.fixture(name="users_by_role")
    def users_by_role(db, _built_once):
        return copy.deepcopy(_built_once[0])

    @pytest.fixture(name=name)
    def records(db, _built_once):
        return copy.deepcopy(_built_once[1])

    return built_once, users_by_role, records
