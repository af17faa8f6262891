"""A proposal's title and rationale in Finnish and Swedish (English optional): each reader gets
their own language on pages and in the change email, falling back to Finnish."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from members.models import Role
from steering import services as services
from steering.models import Proposal
from tests.factories import OrganisationFactory, OrganisationRoleFactory
from tests.steering.conftest import in_days
from tests.steering.test_close import vote_all


def test_the_text_follows_the_active_language_and_falls_back_to_finnish(proposal):
    assert proposal.title_in("sv") == "Längre uppsägningstid"
    assert proposal.rationale_in("sv") == "Medlemmarna behöver mer tid för övergången."
    assert proposal.title_in("en") == "Pidempi irtisanomisaika"  # no English text: Finnish
    assert proposal.title_in("de") == "Pidempi irtisanomisaika"
    with translation.override("sv"):
        assert proposal.title == "Längre uppsägningstid" and str(proposal) == "Längre uppsägningstid"
    with translation.override("fi"):
        assert proposal.rationale == "Jäsenet tarvitsevat enemmän aikaa siirtymään."
    proposal.title_en = "Longer notice period"
    assert proposal.title_in("en") == "Longer notice period"


def test_finnish_and_swedish_are_both_required(group, draft_version, operator):
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            group=group,
            version=draft_version,
            title_fi="Muutos",
            title_sv=" ",
            rationale_fi="",
            rationale_sv="Orsak",
            effective_date=in_days(60),
            by=operator,
        )
    assert set(error.value.error_dict) == {"title_sv", "rationale_fi"}
    assert not Proposal.objects.exists()


def test_english_is_optional_and_every_language_is_audited(group, draft_version, operator):
    from audit.models import Entry

    proposal = services.proposal_create(
        group=group,
        version=draft_version,
        title_fi=" Muutos ",
        title_sv="Ändring",
        title_en="Change",
        rationale_fi="Syy",
        rationale_sv="Orsak",
        effective_date=in_days(60),
        by=operator,
    )
    assert (proposal.title_fi, proposal.title_en, proposal.rationale_en) == ("Muutos", "Change", "")
    after = Entry.objects.get(action="proposal.create").after
    assert (after["title_sv"], after["rationale_sv"], after["title_en"]) == ("Ändring", "Orsak", "Change")


def test_each_member_reads_the_change_email_in_their_own_language(
    open_proposal, seats, operator, member_in_force, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    member_in_force(organisation)
    finnish = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN, user__language="fi").user
    swedish = OrganisationRoleFactory(organisation=organisation, role=Role.SIGNATORY, user__language="sv").user
    english = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN, user__language="en").user
    vote_all(open_proposal, seats, ["yes"] * 5)
    mail.outbox.clear()
    with time_machine.travel(open_proposal.deadline), django_capture_on_commit_callbacks(execute=True):
        services.proposal_close(proposal=open_proposal, by=operator)
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Längre uppsägningstid" in bodies[swedish.email]
    assert "Medlemmarna behöver mer tid för övergången." in bodies[swedish.email]
    assert "Pidempi irtisanomisaika" not in bodies[swedish.email]
    assert "Pidempi irtisanomisaika" in bodies[finnish.email] and "Längre" not in bodies[finnish.email]
    # No English text was written: English readers get the Finnish one.
    assert "Jäsenet tarvitsevat enemmän aikaa siirtymään." in bodies[english.email]


def test_pages_show_the_readers_language(open_proposal, seats, as_user):
    holder = seats[0].holder
    holder.language = "sv"
    holder.save()
    content = as_user(holder).get(f"/steering/proposals/{open_proposal.pk}/").content.decode()
    assert "Längre uppsägningstid" in content and "Medlemmarna behöver mer tid" in content
    assert "Pidempi irtisanomisaika" not in content
