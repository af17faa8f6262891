"""A draft agreement version under a proposal that is open for voting or decided cannot be edited:
the text decided must be the text voted on (DESIGN 3.5)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from contracts import services as agreement_services
from contracts.models import AgreementVersion
from steering import services as services
from tests.steering.test_close import vote_all


def _edits(version) -> int:
    return Entry.objects.filter(action="agreement_version.update", object_id=str(version.pk)).count()


def test_a_draft_under_a_proposal_not_yet_open_can_still_be_edited(proposal, operator):
    agreement_services.version_draft_update(version=proposal.version, by=operator, text_fi="Korjattu teksti.")
    assert AgreementVersion.objects.get(pk=proposal.version_id).text_fi == "Korjattu teksti."


def test_a_draft_open_for_voting_cannot_be_edited(open_proposal, operator):
    before = AgreementVersion.objects.get(pk=open_proposal.version_id)
    edits = _edits(before)
    with pytest.raises(ValidationError, match="open for voting") as error:
        agreement_services.version_draft_update(version=open_proposal.version, by=operator, text_fi="Muutettu.")
    assert "Pidempi irtisanomisaika" in error.value.messages[0]
    after = AgreementVersion.objects.get(pk=open_proposal.version_id)
    assert (after.text_fi, after.text_sv, after.effective_on) == (before.text_fi, before.text_sv, before.effective_on)
    assert _edits(before) == edits


@pytest.mark.parametrize("choices", [["no"] * 5, [None] * 5], ids=["rejected", "no quorum"])
def test_a_draft_whose_proposal_was_decided_cannot_be_edited(open_proposal, seats, operator, choices):
    vote_all(open_proposal, seats, choices)
    with time_machine.travel(open_proposal.deadline):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    assert proposal.passed is False  # the version stays a draft, but the decision is made
    with pytest.raises(ValidationError, match="decided"):
        agreement_services.version_draft_update(version=proposal.version, by=operator, label="Uusi nimi")
    assert AgreementVersion.objects.get(pk=proposal.version_id).label == proposal.version.label


def test_a_passed_change_is_still_published_with_its_decided_date(open_proposal, seats, operator):
    vote_all(open_proposal, seats, ["yes"] * 5)
    with time_machine.travel(open_proposal.deadline):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    version = AgreementVersion.objects.get(pk=proposal.version_id)
    assert version.is_published and version.effective_on == proposal.effective_date
    publish = Entry.objects.get(action="agreement_version.publish", object_id=str(version.pk))
    assert publish.after["effective_on"] == proposal.effective_date.isoformat()


def test_the_staff_edit_page_shows_the_refusal(open_proposal, operator, as_user):
    version = open_proposal.version
    data = {
        "number": version.number,
        "label": version.label,
        "text_fi": "Muutettu.",
        "text_sv": version.text_sv,
        "text_en": version.text_en,
        "effective_on": "2030-01-01",
    }
    response = as_user(operator).post(reverse("contracts:staff-version-edit", args=[version.pk]), data)
    assert response.status_code == 200
    assert "open for voting" in response.content.decode()
    assert AgreementVersion.objects.get(pk=version.pk).text_fi == version.text_fi


def test_a_proposed_version_is_not_published_outside_the_decision(proposal, seats, operator, as_user):
    with pytest.raises(ValidationError, match="proposed to the steering group"):
        agreement_services.version_publish(version=proposal.version, by=operator)
    services.proposal_open(proposal=proposal, deadline=timezone.now() + datetime.timedelta(days=7), by=operator)
    response = as_user(operator).post(reverse("contracts:staff-version-publish", args=[proposal.version_id]))
    assert response.status_code in (200, 302)
    assert not AgreementVersion.objects.get(pk=proposal.version_id).is_published
    page = as_user(operator).get(reverse("contracts:staff-version-edit", args=[proposal.version_id])).content.decode()
    assert "can no longer be changed or published here" in page and "Publish this version" not in page


def test_a_rejected_proposals_version_is_never_published(open_proposal, seats, operator):
    vote_all(open_proposal, seats, ["no"] * 5)
    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
    with pytest.raises(ValidationError, match="proposed to the steering group"):
        agreement_services.version_publish(version=open_proposal.version, by=operator)
