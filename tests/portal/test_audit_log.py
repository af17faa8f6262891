"""The staff audit log page and its CSV export (issue 16 item 1)."""

import codecs
import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from audit.models import Entry
from audit.services import audit_record
from members.services import organisation_save
from portal.audit_log import AuditFilterForm
from tests.factories import OrganisationFactory
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db
URL = reverse("portal:audit-log")
EXPORT = reverse("portal:audit-log-export")


@pytest.mark.parametrize("persona", ["admin_a", "seat_holder", "signatory_a"])
@pytest.mark.parametrize("url", [URL, EXPORT])
def test_audit_log_is_for_operator_staff_only(persona, url, request, as_user):
    assert as_user(request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_anonymous_is_sent_to_login(url, client):
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response.url


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_staff_without_mfa_are_sent_to_enrol_first(url, operator_without_mfa, as_user):
    response = as_user(operator_without_mfa).get(url)
    assert response.status_code == 302 and url not in response.url


def test_the_page_shows_words_not_codes(operator, org_a, as_user):
    organisation_save(by=operator, organisation=org_a, data={"city": "Espoo", "is_service_provider": True})
    response = as_user(operator).get(URL)
    html = response.content.decode().split('id="audit-entries"')[1]  # the filter's option values are codes
    assert "Organisation details changed" in html
    assert f'href="{reverse("members:organisation-detail", args=[org_a.pk])}"' in html
    assert "organisation.update" not in html and "members.organisation" not in html
    assert "Service provider" in html and "<td>yes</td>" in html and "Espoo" in html
    assert "{" not in html  # no Python dict


def test_staff_filter_by_actor_action_and_date(operator, admin_a, org_a, as_user):
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)):
        audit_record(actor=admin_a, action="organisation.update", obj=org_a)
    with time_machine.travel(dt.datetime(2027, 3, 5, 12, tzinfo=dt.UTC)):
        audit_record(actor=operator, action="service.approve", obj=org_a)
        audit_record(actor=None, action="proxy.snapshots_pruned", object_type="proxy.snapshot")
    client = as_user(operator)

    def actions(**query):
        response = client.get(URL, query)
        assert response.status_code == 200
        return [row.entry.action for row in response.context["rows"]]

    assert actions(actor=str(admin_a.pk)) == ["organisation.update"]
    assert actions(actor="system") == ["proxy.snapshots_pruned"]
    assert actions(action="service.approve") == ["service.approve"]
    assert actions(date_from="2027-03-02") == ["proxy.snapshots_pruned", "service.approve"]
    assert actions(date_to="2027-03-01") == ["organisation.update"]
    assert actions(date_from="2027-03-01", date_to="2027-03-01") == ["organisation.update"]


def test_the_actor_list_holds_only_people_who_appear_in_the_log(operator, admin_a, signatory_a):
    audit_record(actor=admin_a, action="organisation.update", object_type="members.organisation")
    values = [value for value, _label in AuditFilterForm().fields["actor"].choices]
    assert str(admin_a.pk) in values and str(signatory_a.pk) not in values and "system" in values


def test_filter_by_organisation_finds_its_own_objects_too(operator, org_a, org_b, as_user):
    from members.models import Contact

    contact = Contact.objects.create(organisation=org_a, kind="technical", name="Tea", email="tea@example.org")
    audit_record(actor=operator, action="organisation.update", obj=org_a)
    audit_record(actor=operator, action="contact.save", obj=contact)
    audit_record(actor=operator, action="organisation.update", obj=org_b)
    response = as_user(operator).get(URL, {"organisation": org_a.pk})
    assert sorted(row.entry.action for row in response.context["rows"]) == ["contact.save", "organisation.update"]
    assert str(org_b.pk) not in {
        row.entry.object_id for row in response.context["rows"] if row.object_type == "Organisation"
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2027-03-05", "date_to": "2027-03-01"}, "date_to"),
        ({"date_from": "5.3.2027x"}, "date_from"),
        ({"date_to": "2027-02-30"}, "date_to"),
        ({"actor": "999999"}, "actor"),
        ({"action": "made.up"}, "action"),
        ({"organisation": "nope"}, "organisation"),
    ],
)
def test_bad_filters_get_a_message_at_the_field_and_no_entries(query, field, operator, as_user):
    audit_record(actor=operator, action="organisation.update", object_type="members.organisation")
    response = as_user(operator).get(URL, query)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert response.context["rows"] == []
    assert 'aria-invalid="true"' in response.content.decode()


def test_htmx_filter_returns_the_form_and_the_entries_only(operator, as_user):
    audit_record(actor=operator, action="organisation.update", object_type="members.organisation")
    response = as_user(operator).get(URL, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"audit-entries" in response.content and b"<form" in response.content


def test_log_page_runs_a_fixed_number_of_queries(operator, as_user):
    organisations = [OrganisationFactory() for _ in range(3)]

    def record(organisation):
        audit_record(actor=operator, action="organisation.update", obj=organisation, after={"kind": "state"})
        audit_record(
            actor=operator,
            action="organisation.allowed_services",
            obj=organisation,
            before={"allowed_services": []},
            after={"allowed_services": [organisation.pk]},
        )

    record(organisations[0])

    def grow():
        for i in range(30):
            record(organisations[i % 3])

    assert_queries_pinned(as_user(operator), URL, grow=grow, expected=11)


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith(codecs.BOM_UTF8.decode("utf-8"))
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_export_has_the_filtered_entries_in_the_pages_words(operator, admin_a, org_a, as_user):
    organisation_save(by=operator, organisation=org_a, data={"city": '=HYPERLINK("x")'})
    audit_record(actor=admin_a, action="contact.save", object_type="members.contact")
    response = as_user(operator).get(EXPORT, {"actor": str(operator.pk)})
    header, *rows = _csv(response)
    assert header == ["Time", "Who", "What happened", "Object type", "Object", "Changes"]
    assert len(rows) == 1
    _time, who, what, kind, target, changes = rows[0]
    assert (who, what, kind, target) == (
        operator.email,
        "Organisation details changed",
        "Organisation",
        "Municipality A",
    )
    assert "City: – → =HYPERLINK" in changes  # escaped as a whole cell: it does not start with "="


def test_csv_export_escapes_a_formula_at_the_start_of_a_cell(operator, as_user):
    audit_record(actor=operator, action="organisation.update", object_type="members.organisation", object_label="=1+1")
    _header, row = _csv(as_user(operator).get(EXPORT))
    assert row[4] == "'=1+1"


def test_csv_export_of_bad_filters_is_empty_not_an_error(operator, as_user):
    audit_record(actor=operator, action="organisation.update", object_type="members.organisation")
    response = as_user(operator).get(EXPORT, {"date_from": "2027-03-05", "date_to": "2027-03-01"})
    assert response.status_code == 200 and len(_csv(response)) == 1


def test_csv_export_runs_a_query_per_chunk_not_per_row(operator, as_user, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    for _ in range(30):
        audit_record(actor=operator, action="organisation.update", obj=organisation)
    client = as_user(operator)
    with django_assert_max_num_queries(12):
        assert len(_csv(client.get(EXPORT))) == 31
    assert Entry.objects.count() == 30
