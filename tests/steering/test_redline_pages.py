"""Every page that shows an agreement change shows the redline, and the decision controls come
after it (issue 16 item 3): the proposal page for seat holders, the change notice for members,
staff's proposal page and staff's version comparison."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from members.models import Role
from steering import services as services
from steering.models import ChangeNotice
from tests.factories import OrganisationFactory, OrganisationRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(open_proposal, seats, operator, member_in_force):
    organisation = OrganisationFactory()
    member_in_force(organisation)
    for seat in seats:
        services.vote_cast(proposal=open_proposal, by=seat.holder, choice="yes")
    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
    return ChangeNotice.objects.get(organisation=organisation)


def position(content: str, needle: str) -> int:
    index = content.find(needle)
    assert index >= 0, f"{needle!r} is not on the page"
    return index


def redline_end(content: str) -> int:
    """Where the last language's redline ends."""
    return max(match.end() for match in re.finditer(r'<section class="redline"', content))


def test_vote_buttons_come_after_the_text_and_ask_for_confirmation(open_proposal, seats, as_user):
    content = as_user(seats[0].holder).get(reverse("steering:proposal", args=[open_proposal.pk])).content.decode()
    vote = position(content, 'id="vote-submit"')
    assert position(content, 'id="redline-fi"') < position(content, 'id="redline-sv"') < vote
    assert redline_end(content) < position(content, 'id="vote-panel"')
    button = re.search(r'<button[^>]*id="vote-submit"[^>]*>', content).group(0)
    assert 'data-confirm="Send your vote?' in button


def test_accept_and_terminate_come_after_the_text_and_ask_for_confirmation(notice, as_user):
    signatory = OrganisationRoleFactory(organisation=notice.organisation, role=Role.SIGNATORY).user
    content = as_user(signatory).get(reverse("steering:member-change", args=[notice.pk])).content.decode()
    accept = position(content, reverse("steering:member-change-accept", args=[notice.pk]))
    terminate = position(content, reverse("steering:member-change-terminate", args=[notice.pk]))
    assert redline_end(content) < position(content, 'id="answer-heading"') < accept < terminate
    assert content.count("data-confirm=") == 2


def test_the_change_notice_marks_words_in_text_not_only_by_strike_through(notice, as_user):
    admin = OrganisationRoleFactory(organisation=notice.organisation, role=Role.ADMIN).user
    content = as_user(admin).get(reverse("steering:member-change", args=[notice.pk])).content.decode()
    assert '<ins><span class="redline-label" lang="en">inserted: </span>kahden </ins>' in content
    assert '<del><span class="redline-label" lang="en">deleted: </span>en månads</del>' in content
    # Unchanged paragraphs fold away with their count; no empty "changed" rows.
    assert "3 unchanged paragraphs" in content
    assert not re.search(r"<p[^>]*>\s*</p>", content)


def test_staff_proposal_shows_the_redline_before_the_voting_controls(proposal, operator, as_user):
    content = as_user(operator).get(reverse("steering:staff-proposal", args=[proposal.pk])).content.decode()
    assert redline_end(content) < position(content, reverse("steering:proposal-open", args=[proposal.pk]))
    assert "1 paragraph changed" in content and "2 paragraphs added" in content


def test_staff_compare_a_published_version_with_the_one_before(notice, operator, as_user, current_version):
    version = notice.proposal.version
    version.refresh_from_db()
    assert version.is_published  # the group's decision published it
    response = as_user(operator).get(reverse("contracts:staff-version-edit", args=[version.pk]))
    content = response.content.decode()
    assert response.context["before"] == current_version
    assert f"Compared with version {current_version}" in content
    assert '<section class="redline" aria-labelledby="redline-fi">' in content


def test_staff_see_a_draft_compared_with_the_current_version(operator, as_user, current_version, draft_version):
    content = as_user(operator).get(reverse("contracts:staff-version-edit", args=[draft_version.pk])).content.decode()
    assert f"Compared with version {current_version}" in content
    assert "1 paragraph changed" in content


def test_a_first_version_has_nothing_before_it(operator, as_user, current_version):
    response = as_user(operator).get(reverse("contracts:staff-version-edit", args=[current_version.pk]))
    assert response.context["before"] is None
    assert "Compared with no earlier version" in response.content.decode()
