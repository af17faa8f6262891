"""Approving several changes at once from the review queue (issue 16 item 7): a confirmation page
first, then each change through the same approval as one approved alone (checked and audited)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from members import services
from members.models import VersionStatus
from tests.factories import ServiceProviderOrganisationFactory

URL = reverse("members:review-approve-selected")


@pytest.fixture
def three_pending(make_saml_service):
    """Three new services waiting for review, of three providers; their pending versions."""
    pending = []
    for name in ("Alfa", "Bravo", "Charlie"):
        provider = ServiceProviderOrganisationFactory(name_fi=f"{name} Oy", name_en="")
        service = make_saml_service(provider, approve=False, name_en=f"{name} service")
        pending.append(service.versions.get())
    return pending


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_review_queue_offers_a_labelled_checkbox_per_pending_change(operator, as_user, three_pending):
    body = as_user(operator).get(reverse("members:review-queue")).content.decode()
    for version in three_pending:
        assert f'name="versions" value="{version.pk}" id="select-version-{version.pk}"' in body
    assert "Select Alfa service of Alfa Oy" in body
    assert "Approve selected…" in body


def test_approve_selected_first_lists_what_will_be_approved_and_approves_nothing(operator, as_user, three_pending):
    response = as_user(operator).post(URL, {"versions": [v.pk for v in three_pending[:2]]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alfa service" in body and "Bravo service" in body and "Charlie service" not in body
    assert "Approve these 2 changes" in body and 'name="confirmed" value="yes"' in body
    assert not Entry.objects.filter(action="service.approve").exists()
    for version in three_pending:
        version.refresh_from_db()
        assert version.status == VersionStatus.PENDING


def test_three_confirmed_are_approved_each_with_its_own_audit_entry(operator, as_user, three_pending):
    response = as_user(operator).post(URL, {"versions": [v.pk for v in three_pending], "confirmed": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("members:review-queue")
    for version in three_pending:
        version.refresh_from_db()
        assert version.status == VersionStatus.APPROVED and version.reviewed_by == operator
        assert version.service.live_version_id == version.pk
    entries = Entry.objects.filter(action="service.approve", actor=operator)
    assert sorted(int(e.object_id) for e in entries) == sorted(v.pk for v in three_pending)
    assert _messages(response) == ["Approved 3 changes: Alfa service, Bravo service, Charlie service."]


def test_one_that_changed_meanwhile_is_named_and_the_others_are_still_approved(operator, as_user, three_pending):
    alfa, bravo, charlie = three_pending
    client = as_user(operator)
    client.post(URL, {"versions": [v.pk for v in three_pending]})  # the confirmation page
    services.service_reject(version=charlie, by=operator, reason="Another reviewer found a problem.")
    response = client.post(URL, {"versions": [v.pk for v in three_pending], "confirmed": "yes"})
    for version in (alfa, bravo):
        version.refresh_from_db()
        assert version.status == VersionStatus.APPROVED
    charlie.refresh_from_db()
    assert charlie.status == VersionStatus.REJECTED
    assert Entry.objects.filter(action="service.approve").count() == 2
    assert _messages(response) == [
        "Approved 2 changes: Alfa service, Bravo service.",
        "Charlie service (Charlie Oy) was not approved: This version is no longer waiting for review.",
    ]


def test_the_confirmation_names_a_selected_change_that_no_longer_waits(operator, as_user, three_pending):
    alfa, bravo, _charlie = three_pending
    services.service_approve(version=bravo, by=operator)
    body = as_user(operator).post(URL, {"versions": [alfa.pk, bravo.pk, 999999]}).content.decode()
    assert "Approve this change" in body
    assert "no longer wait for review" in body and "Bravo service, Bravo Oy: approved" in body
    assert "1 selected change no longer exists." in body


def test_an_id_of_something_not_pending_or_missing_is_reported_not_a_500(operator, as_user, three_pending):
    alfa, bravo, _charlie = three_pending
    services.service_approve(version=bravo, by=operator)
    response = as_user(operator).post(URL, {"versions": [alfa.pk, bravo.pk, 999999], "confirmed": "yes"})
    assert response.status_code == 302
    assert _messages(response) == [
        "Approved 1 change: Alfa service.",
        "Bravo service (Bravo Oy) was not approved: This version is no longer waiting for review.",
        "One selected change was not approved: It no longer exists.",
    ]
    assert Entry.objects.filter(action="service.approve", object_id=str(bravo.pk)).count() == 1


@pytest.mark.parametrize("bad", [["abc"], ["1", "x"], ["-1"], ["1.5"], ["\u0663"], ["1 OR 1=1"], ["9" * 40]])
def test_tampered_ids_are_a_form_error_and_approve_nothing(operator, as_user, three_pending, bad):
    response = as_user(operator).post(URL, {"versions": bad, "confirmed": "yes"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The selection could not be read." in body and 'aria-invalid="true"' in body
    assert not Entry.objects.filter(action="service.approve").exists()


def test_selecting_nothing_asks_to_select_something(operator, as_user, three_pending):
    response = as_user(operator).post(URL, {"confirmed": "yes"})
    assert response.status_code == 400
    assert "Select at least one change to approve." in response.content.decode()


def test_member_users_and_anonymous_cannot_approve_in_bulk(admin_a, as_user, client, three_pending):
    ids = [v.pk for v in three_pending]
    assert as_user(admin_a).post(URL, {"versions": ids, "confirmed": "yes"}).status_code == 403
    response = client.post(URL, {"versions": ids, "confirmed": "yes"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Entry.objects.filter(action="service.approve").exists()


def test_staff_without_mfa_must_enrol_first(operator_without_mfa, as_user, three_pending):
    response = as_user(operator_without_mfa).post(URL, {"versions": [three_pending[0].pk], "confirmed": "yes"})
    assert response.status_code == 302 and "/2fa/" in response["Location"]
    three_pending[0].refresh_from_db()
    assert three_pending[0].status == VersionStatus.PENDING


def test_bulk_approval_needs_the_csrf_token(operator, three_pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post(URL, {"versions": [three_pending[0].pk], "confirmed": "yes"})
    assert response.status_code == 403
    three_pending[0].refresh_from_db()
    assert three_pending[0].status == VersionStatus.PENDING


def test_a_get_is_not_an_approval(operator, as_user, three_pending):
    assert as_user(operator).get(URL, {"versions": [three_pending[0].pk], "confirmed": "yes"}).status_code == 405
