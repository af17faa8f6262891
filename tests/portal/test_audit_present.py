"""The audit log in words (issue 16 item 1): targets, changed fields and values."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import Entry
from audit.services import audit_record, audit_state
from members.models import Organisation
from members.services import organisation_save
from portal.audit_present import Names, changed_keys, entry_rows, field_name, value_words
from tests.factories import AgreementVersionFactory, MembershipFactory, OrganisationFactory, SeatFactory

pytestmark = pytest.mark.django_db


def _fields(model):
    return {f.attname: f for f in model._meta.concrete_fields}


def test_only_changed_keys_are_shown_and_the_id_never():
    assert changed_keys({"id": 1, "a": 1, "b": 2}, {"id": 1, "a": 1, "b": 3, "c": 4}) == ["b", "c"]


def test_a_created_object_shows_every_field_filled_in():
    assert changed_keys(None, {"id": 5, "name": "x", "empty": ""}) == ["name"]


def test_a_removed_object_shows_every_field_it_had():
    assert changed_keys({"id": 5, "name": "x"}, None) == ["name"]


def test_field_names_come_from_the_models_verbose_name():
    fields = _fields(Organisation)
    assert field_name("name_fi", fields["name_fi"]) == "Name (Finnish)"
    assert field_name("live_version", None) == "Version in use"


def test_a_key_nobody_named_still_reads_as_words():
    assert field_name("some_new_key", None) == "Some new key"


def test_values_in_words():
    fields = _fields(Organisation)
    assert value_words(True) == "yes" and value_words(False) == "no"
    assert value_words("municipality", key="kind", model_field=fields["kind"]) == "Municipality"
    assert value_words(["a", "b"]) == "a, b"
    assert value_words(None) == "" and value_words([]) == ""
    assert value_words("2027-03-02") == date_format(dt.date(2027, 3, 2), "SHORT_DATE_FORMAT")
    assert value_words("test", key="environment") == "Test"


def test_a_moment_is_shown_in_the_sites_time_zone():
    moment = dt.datetime(2027, 3, 3, 0, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    with timezone.override("Europe/Helsinki"):
        assert value_words("2027-03-02T22:30:00Z") == date_format(moment, "SHORT_DATETIME_FORMAT")


def test_ids_of_related_objects_read_as_their_names(org_a):
    names = Names()
    names.want("members.organisation", [org_a.pk, 999999])
    names.fetch()
    assert (
        value_words(
            org_a.pk,
            key="organisation_id",
            model_field=_fields(MembershipFactory._meta.model)["organisation_id"],
            names=names,
        )
        == "Municipality A"
    )
    assert value_words([org_a.pk], key="organisations", names=names) == "Municipality A"
    assert "no longer exists" in names.name("members.organisation", 999999)


def test_an_organisation_change_reads_as_a_table_of_fields(operator, org_a):
    organisation_save(by=operator, organisation=org_a, data={"city": "Espoo", "kind": "state"})
    [row] = entry_rows(list(Entry.objects.filter(action="organisation.update")))
    assert row.action == "Organisation details changed"
    assert row.object_type == "Organisation"
    assert row.target == "Municipality A"
    assert row.target_url == reverse("members:organisation-detail", args=[org_a.pk])
    changes = {change.field: (change.before, change.after) for change in row.changes}
    assert changes["City"] == ("", "Espoo")
    assert changes["Kind"] == ("Municipality", "State")
    assert "Name (Finnish)" not in changes  # unchanged


def test_a_vote_links_to_its_proposal_not_to_a_code(operator):
    from steering.models import Proposal, Vote

    seat = SeatFactory()
    proposal = Proposal.objects.create(
        group=seat.group,
        version=AgreementVersionFactory(state="draft", published_at=None),
        title_fi="Uusi sopimus",
        title_sv="Nytt avtal",
        title_en="New agreement",
        effective_date="2030-01-01",
        created_by=operator,
    )
    vote = Vote.objects.create(proposal=proposal, seat=seat, choice="yes", cast_by=seat.holder)
    audit_record(actor=seat.holder, action="vote.cast", obj=vote, object_label=f"{proposal.pk}/{seat.pk}")
    [row] = entry_rows(list(Entry.objects.filter(action="vote.cast")))
    assert row.target == "Vote on “New agreement”"
    assert row.target_url == reverse("steering:staff-proposal", args=[proposal.pk])


def test_a_membership_change_names_its_agreement_version(operator):
    membership = MembershipFactory()
    audit_record(actor=operator, action="membership.in_force", obj=membership, after=audit_state(membership))
    [row] = entry_rows(list(Entry.objects.filter(action="membership.in_force")))
    assert row.target_url == reverse("contracts:membership-detail", args=[membership.pk])
    changes = {change.field: change.after for change in row.changes}
    assert changes["Version"] == str(membership.version)
    assert changes["Organisation"] == membership.organisation.name


def test_a_removed_object_is_named_in_words_without_a_link(operator):
    organisation = OrganisationFactory(name_en="Gone")
    audit_record(actor=operator, action="organisation.update", obj=organisation)
    Organisation.objects.filter(pk=organisation.pk).delete()
    [row] = entry_rows(list(Entry.objects.all()))
    assert row.target_url is None and ":" not in row.target


def test_the_system_is_named_as_the_actor():
    audit_record(actor=None, action="proxy.snapshots_pruned", object_type="proxy.snapshot")
    [row] = entry_rows(list(Entry.objects.all()))
    assert row.actor == "the system"


def test_the_votes_of_a_closed_proposal_read_as_seats_and_choices():
    seat = SeatFactory(holder__full_name="Sanna Seat", organisation__name_en="Town")
    names = Names()
    names.want("steering.seat", {str(seat.pk): "yes"})
    names.fetch()
    assert value_words({str(seat.pk): "abstain"}, key="votes", names=names) == "Sanna Seat (Town): Abstain"
