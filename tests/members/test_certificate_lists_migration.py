"""Issue 13: a version's single signing and encryption certificate become one-item lists when the
database migrates; nothing stored is lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from members.models import ServiceVersion
from tests.members.certs import make_certificate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0008_service_description_length")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_single_certificates_become_lists_and_empty_ones_empty_lists():
    apps = _migrate(BEFORE)
    try:
        Organisation = apps.get_model("members", "Organisation")
        Service = apps.get_model("members", "Service")
        Version = apps.get_model("members", "ServiceVersion")
        provider = Organisation.objects.create(
            name_fi="Siirto Oy", business_id="3141593-8", kind="company", is_service_provider=True
        )
        signing, encryption = make_certificate(cn="sign.example.fi"), make_certificate(cn="enc.example.fi")
        both = Version.objects.create(
            service=Service.objects.create(provider=provider, environment="test", protocol="saml", entity_id="urn:a"),
            name_fi="A", signing_certificate=signing, encryption_certificate=encryption,
        )  # fmt: skip
        oidc = Version.objects.create(
            service=Service.objects.create(provider=provider, environment="test", protocol="oidc", client_id="c"),
            name_fi="B",
        )
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
    migrated = ServiceVersion.objects.get(pk=both.pk)
    assert (migrated.signing_certificates, migrated.encryption_certificates) == ([signing], [encryption])
    untouched = ServiceVersion.objects.get(pk=oidc.pk)
    assert (untouched.signing_certificates, untouched.encryption_certificates) == ([], [])
    assert not untouched.test_learner_numbers_allowed and not untouched.want_assertions_signed
