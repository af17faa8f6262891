"""A passed change reaches memberships that were not in force when it was decided (review item 4)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts import services as agreement_services
from contracts.models import MemberRole, Membership
from steering import services as services
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def sign(organisation, signatory, version):
    return agreement_services.signature_member_sign(
        organisation=organisation,
        role=MemberRole.HOME_ORGANISATION,
        version=version,
        by=signatory,
        full_name="Sanna Signeeraaja",
        title="Sivistysjohtaja",
        language="fi",
    ).membership


def countersign(membership, operator):
    return agreement_services.signature_operator_countersign(
        membership=membership, by=operator, full_name="Olli Operaattori", title="Palvelupäällikkö"
    )


def test_memberships_not_in_force_at_the_decision_move_when_the_change_takes_effect(
    open_proposal, seats, operator, member_in_force, signatory_of, current_version
):
    notified = member_in_force(OrganisationFactory())
    pending_org, later_org = OrganisationFactory(), OrganisationFactory()
    pending_signatory = signatory_of(pending_org)
    pending = sign(pending_org, pending_signatory, current_version)  # awaiting countersignature
    for seat in seats:
        services.vote_cast(proposal=open_proposal, by=seat.holder, choice="yes")
    with time_machine.travel(open_proposal.deadline):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    assert proposal.passed
    # After the decision, before the change takes effect: a new member signs the old (still current) text.
    with time_machine.travel(open_proposal.deadline + datetime.timedelta(days=1)):
        later = sign(later_org, signatory_of(later_org), current_version)
        countersign(later, operator)
    on_the_day = timezone.make_aware(datetime.datetime.combine(proposal.effective_date, datetime.time(0, 10)))
    with time_machine.travel(on_the_day):
        services.changes_apply()
        services.changes_apply()  # idempotent
        versions = dict(Membership.objects.values_list("pk", "version_id"))
        assert versions == dict.fromkeys((notified.pk, pending.pk, later.pk), proposal.version_id)
        # The pending member's signature was of the old text: the operator cannot countersign it.
        with pytest.raises(ValidationError, match="earlier agreement version"):
            countersign(pending, operator)
        pending.refresh_from_db()
        assert pending.in_force_from is None
        # Once the member signs the new version, countersigning works.
        sign(pending_org, pending_signatory, proposal.version)
        countersign(pending, operator)
        pending.refresh_from_db()
        assert pending.in_force_from == proposal.effective_date and pending.version_id == proposal.version_id
