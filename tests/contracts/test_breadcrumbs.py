"""Breadcrumbs on membership and agreement version pages (issue 16 item 7)."""

from __future__ import annotations

from django.urls import reverse

from tests.breadcrumbs import assert_trail


def test_staff_see_a_membership_under_the_membership_list(operator, as_user, signed_membership):
    body = as_user(operator).get(reverse("contracts:membership-detail", args=[signed_membership.pk])).content.decode()
    trail = assert_trail(body, "Operator", "Memberships", "Municipality A: home organisation")
    assert trail[1][1] == reverse("contracts:staff-membership-list")


def test_a_member_sees_their_membership_under_their_organisation(signatory_a, as_user, signed_membership, org_a):
    body = as_user(signatory_a).get(reverse("contracts:membership-detail", args=[signed_membership.pk]))
    trail = assert_trail(
        body.content.decode(), "My organisations", "Municipality A", "Municipality A: home organisation"
    )
    assert trail[1][1] == reverse("members:organisation-detail", args=[org_a.pk])


def test_an_agreement_version_sits_under_the_version_list(operator, as_user, version):
    body = as_user(operator).get(reverse("contracts:staff-version-edit", args=[version.pk])).content.decode()
    assert_trail(body, "Operator", "Agreement versions", str(version))
    body = as_user(operator).get(reverse("contracts:staff-version-create")).content.decode()
    assert_trail(body, "Operator", "Agreement versions", "New draft")
