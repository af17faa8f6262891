"""Personas (DESIGN section 1) as fixtures, shared by every test module."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from rest_framework.test import APIClient

from members.models import Role
from tests.factories import OrganisationFactory, OrganisationRoleFactory, SeatFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """The audit tables refuse TRUNCATE (issue 15, item 6), which is how Django empties the database
    after a transactional test. Empty it the one way that passes the triggers, as a database
    superuser who means it: with triggers switched off for that session."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        return ["SET session_replication_role = replica", *statements, "SET session_replication_role = DEFAULT"]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def audit_heads_folder(settings, tmp_path):
    """Each test exports audit chain heads to a folder of its own (the storage outlives the database)."""
    folder = tmp_path / "audit-heads"
    settings.STORAGES = {
        **settings.STORAGES,
        "audit_heads": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return folder


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: rate limits (login, verification page) count per
    address, and every test client posts from 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name_fi="Kunta A", name_sv="Kommun A", name_en="Municipality A")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name_fi="Kunta B", name_sv="Kommun B", name_en="Municipality B")


@pytest.fixture
def operator(db):
    """Operator staff who have enrolled in MFA."""
    return UserFactory(email="operator@example.org", is_staff=True, mfa=True)


@pytest.fixture
def operator_without_mfa(db):
    return UserFactory(email="new-operator@example.org", is_staff=True)


@pytest.fixture
def admin_a(org_a):
    return OrganisationRoleFactory(organisation=org_a, role=Role.ADMIN, user__email="admin-a@example.org").user


@pytest.fixture
def admin_b(org_b):
    return OrganisationRoleFactory(organisation=org_b, role=Role.ADMIN, user__email="admin-b@example.org").user


@pytest.fixture
def signatory_a(org_a):
    return OrganisationRoleFactory(organisation=org_a, role=Role.SIGNATORY, user__email="signatory-a@example.org").user


@pytest.fixture
def technical_a(org_a):
    return OrganisationRoleFactory(organisation=org_a, role=Role.TECHNICAL, user__email="tech-a@example.org").user


@pytest.fixture
def seat_holder(db):
    """A steering-group member with MFA."""
    return SeatFactory(holder__email="seat@example.org").holder


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


_api_token_numbers = itertools.count()


def api_client_for(user) -> APIClient:
    """An API client sending a fresh token of `user` (each token needs its own name)."""
    from accounts.services import api_token_create

    client = APIClient()
    _token, key = api_token_create(user=user, name=f"test {next(_api_token_numbers)}", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def as_user():
    """as_user(user) → a test client logged in as that user (None: anonymous)."""
    return client_for


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Tests read messages in English unless they choose a language; the site's default is Finnish."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def proxy_signing_files_outside_the_worktree(settings, tmp_path_factory):
    """The proxy's demo loader writes a signing key when none exists; keep it out of var/."""
    folder = tmp_path_factory.getbasetemp() / "proxy-signing"
    settings.PROXY_SIGNING_KEY_FILE = folder / "signing-key.pem"
    settings.PROXY_SIGNING_CERT_FILE = folder / "signing-cert.pem"
