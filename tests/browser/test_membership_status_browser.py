"""Issue 16 item 4 in a browser: the organisation page and list with the membership's state, the
membership timeline and the member dashboard, at 1280 and 375 px: accessible, no sideways scroll."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from contracts import services
from contracts.models import Party, Signature, Termination
from members.models import LoginSource
from tests.browser.conftest import assert_accessible, login
from tests.contracts.conftest import countersign, sign_as_member
from tests.factories import AgreementVersionFactory, MembershipFactory, OrganisationFactory, TermStartFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


def _no_sideways_scroll(page, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: scrolls sideways by {overflow} px"


@pytest.fixture
def history(org_a, signatory_a, operator):
    """org_a: a membership signed, countersigned and under notice; a login source with a metadata
    problem; another organisation whose countersignature has waited ten months."""
    version = AgreementVersionFactory()
    TermStartFactory(starts_on=timezone.localdate() + datetime.timedelta(days=200))
    membership = sign_as_member(org_a, signatory_a, version).membership
    countersign(membership, operator)
    services.termination_create(
        membership=membership, kind=Termination.Kind.NOTICE, given_by=Party.MEMBER, by=signatory_a
    )
    LoginSource.objects.create(
        organisation=org_a, kind="saml", name="Kunnan IdP", entity_id="https://idp.kunta-a.fi/idp",
        metadata_url="https://idp.kunta-a.fi/metadata", metadata_ok=False,
        metadata_error="The metadata's signature does not verify.",
    )  # fmt: skip
    waiting = MembershipFactory(organisation=OrganisationFactory(), version=version, in_force_from=None)
    Signature.objects.create(
        membership=waiting, version=version, party=Party.MEMBER, user=signatory_a, full_name="Sanna Signeeraaja",
        title="Sivistysjohtaja", organisation_name="x", language="fi",
        signed_at=timezone.now() - datetime.timedelta(days=305), text_sha256="0" * 64,
    )  # fmt: skip
    membership.refresh_from_db()
    return membership


@pytest.mark.parametrize("width", WIDTHS)
def test_member_pages_show_the_membership_state_and_timeline(page, site, history, signatory_a, org_a, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, signatory_a.email, language="en")

    page.goto(site + f"/members/organisations/{org_a.pk}/")
    assert page.locator(".role-statuses").inner_text().startswith("Home organisation:")
    assert "in force, notice given" in page.locator(".role-statuses").inner_text()
    assert_accessible(page, f"organisation-status-{width}")
    _no_sideways_scroll(page, "organisation page")

    page.goto(site + f"/agreements/memberships/{history.pk}/")
    picture = page.locator("svg.timeline-picture")
    assert picture.get_attribute("role") == "img"
    assert picture.bounding_box()["width"] <= width
    assert page.locator(".timeline-list li").count() == 4  # signed, countersigned, notice, the end ahead
    picture.scroll_into_view_if_needed()
    assert_accessible(page, f"membership-timeline-{width}")
    _no_sideways_scroll(page, "membership page")

    page.goto(site + "/my/")
    tasks = page.locator(".task-list a")
    assert "Kunnan IdP" in tasks.first.inner_text()
    assert_accessible(page, f"member-dashboard-{width}")
    _no_sideways_scroll(page, "member dashboard")


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_list_shows_states_and_filters_by_one(page, site, history, operator, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(site + "/members/organisations/")
    assert "waiting for the operator's countersignature for 10" in page.locator("#results").inner_text()
    assert_accessible(page, f"organisation-list-status-{width}")
    page.locator("select[name=membership]").select_option("awaiting_operator")
    page.wait_for_url("**membership=awaiting_operator**")
    page.wait_for_load_state("networkidle")
    assert page.locator("#results tbody tr").count() == 1
    assert_accessible(page, f"organisation-list-filtered-{width}")
    # The page itself does not scroll sideways; a wide table scrolls inside its own box.
    _no_sideways_scroll(page, "organisation list")
