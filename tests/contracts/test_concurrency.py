"""Two signatories clicking "sign" at the same moment produce exactly one signature (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from contracts.models import Membership, Signature
from members.models import Role
from tests.factories import TEST_PASSWORD, AgreementVersionFactory, OrganisationFactory, OrganisationRoleFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_signing_requests_make_one_signature():
    assert connection.vendor == "postgresql"
    organisation = OrganisationFactory()
    version = AgreementVersionFactory()
    signatories = [
        OrganisationRoleFactory(organisation=organisation, role=Role.SIGNATORY, user__email=f"sign{n}@example.org").user
        for n in range(4)
    ]
    url = reverse("contracts:membership-sign", args=[organisation.pk, "home_organisation"])
    barrier = threading.Barrier(len(signatories))
    statuses: list[int] = []

    def sign(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            response = client.post(
                url,
                {
                    "version": version.pk,
                    "language": "fi",
                    "full_name": user.full_name or "Nimi",
                    "title": "Rehtori",
                    "confirm": "on",
                    "password": TEST_PASSWORD,
                },
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(user,)) for user in signatories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert Signature.objects.count() == 1
    assert Membership.objects.count() == 1
    # One signed (redirect); the others were told it is already signed (form shown again).
    assert sorted(statuses) == [200, 200, 200, 302]
