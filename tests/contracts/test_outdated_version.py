"""Issue 4: countersigning a version that is no longer current is refused, nothing changed."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.models import Party, Signature
from tests.contracts.conftest import countersign, sign_as_member
from tests.factories import TEST_PASSWORD, AgreementVersionFactory

pytestmark = pytest.mark.django_db


def test_countersigning_an_outdated_version_is_refused_and_changes_nothing(org_a, signatory_a, operator, version):
    membership = sign_as_member(org_a, signatory_a, version).membership
    newer = AgreementVersionFactory(number=version.number + 1)  # in effect since 2020 too, so current now
    with pytest.raises(ValidationError, match="no longer the current agreement version"):
        countersign(membership, operator)
    membership.refresh_from_db()
    assert membership.in_force_from is None and membership.version == version
    assert not Signature.objects.filter(party=Party.OPERATOR).exists()
    # The member signs the current version; then the countersignature goes through.
    sign_as_member(org_a, signatory_a, newer)
    countersign(membership, operator)
    membership.refresh_from_db()
    assert membership.version == newer and membership.in_force_from is not None


def test_countersigning_outdated_via_the_page_shows_the_error(org_a, signatory_a, operator, version, as_user):
    membership = sign_as_member(org_a, signatory_a, version).membership
    AgreementVersionFactory(number=version.number + 1)
    response = as_user(operator).post(
        reverse("contracts:membership-countersign", args=[membership.pk]),
        {"full_name": "Olli Operaattori", "title": "Palvelupäällikkö", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert any("no longer the current" in str(m) for m in get_messages(response.wsgi_request))
    membership.refresh_from_db()
    assert membership.in_force_from is None


def test_member_cannot_sign_an_outdated_version(org_a, signatory_a, version):
    AgreementVersionFactory(number=version.number + 1)
    with pytest.raises(ValidationError, match="not the current agreement version"):
        sign_as_member(org_a, signatory_a, version)
    assert not Signature.objects.exists()


def test_membership_page_explains_instead_of_offering_an_outdated_countersignature(
    org_a, signatory_a, operator, version, as_user
):
    membership = sign_as_member(org_a, signatory_a, version).membership
    url = reverse("contracts:membership-detail", args=[membership.pk])
    assert b"Countersign the agreement" in as_user(operator).get(url).content
    AgreementVersionFactory(number=version.number + 1)
    page = as_user(operator).get(url).content.decode()
    assert "Countersign the agreement" not in page and "must sign the current version" in page
