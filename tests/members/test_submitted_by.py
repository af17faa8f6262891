"""A change waiting for review says who submitted it, never "None" (issue 15, item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members import services

pytestmark = pytest.mark.django_db

CHANGE = {"requested_attributes": [{"key": "class", "purpose": "Luokka"}]}


def _page(client, service) -> str:
    return client.get(reverse("members:service-detail", args=[service.pk])).content.decode()


def test_a_pending_change_names_the_person_who_submitted_it(
    provider_a, tech_provider_a, operator, as_user, make_saml_service
):
    tech_provider_a.full_name = "Teija Tekninen"
    tech_provider_a.save()
    service = make_saml_service(provider_a)
    services.service_change(service=service, by=tech_provider_a, data=CHANGE)
    page = _page(as_user(operator), service)
    assert "by Teija Tekninen." in page
    assert "None" not in page


def test_without_a_full_name_the_email_address_is_shown(
    provider_a, tech_provider_a, operator, as_user, make_saml_service
):
    tech_provider_a.full_name = ""
    tech_provider_a.save()
    service = make_saml_service(provider_a)
    services.service_change(service=service, by=tech_provider_a, data=CHANGE)
    assert "by tech-pa@example.org." in _page(as_user(tech_provider_a), service)


def test_a_change_with_no_person_recorded_says_the_operator_submitted_it(
    provider_a, tech_provider_a, operator, as_user, make_saml_service
):
    service = make_saml_service(provider_a)
    services.service_change(service=service, by=None, data=CHANGE)
    for user in (operator, tech_provider_a):
        page = _page(as_user(user), service)
        assert "by the operator (no person recorded)." in page
        assert "None" not in page
