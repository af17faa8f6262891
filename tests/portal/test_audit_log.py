import pytest
from django.urls import reverse

from audit.services import audit_record
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["admin_a", "seat_holder", "signatory_a"])
def test_audit_log_is_for_operator_staff_only(persona, request, as_user):
    assert as_user(request.getfixturevalue(persona)).get(reverse("portal:audit-log")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("portal:audit-log"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_staff_filter_the_log_by_object_and_by_actor(operator, admin_a, as_user):
    audit_record(
        actor=admin_a,
        action="members.organisation.update",
        object_type="members.organisation",
        object_id=7,
        object_label="Kunta A",
    )
    audit_record(
        actor=operator,
        action="members.organisation.update",
        object_type="members.organisation",
        object_id=8,
        object_label="Kunta B",
    )
    audit_record(actor=operator, action="members.service.approve", object_type="members.service", object_id=7)
    client = as_user(operator)
    by_object = client.get(reverse("portal:audit-log"), {"object_type": "members.organisation", "object_id": "7"})
    assert [e.object_label for e in by_object.context["page"]] == ["Kunta A"]
    by_actor = client.get(reverse("portal:audit-log"), {"actor": "admin-a@"})
    assert [e.actor_label for e in by_actor.context["page"]] == [admin_a.email]


def test_htmx_filter_returns_only_the_table(operator, as_user):
    audit_record(actor=operator, action="x.y", object_type="x", object_id=1)
    response = as_user(operator).get(reverse("portal:audit-log"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"audit-entries" in response.content


def test_log_page_runs_a_fixed_number_of_queries(operator, as_user):
    audit_record(actor=operator, action="x.y", object_type="x", object_id=0)

    def grow():
        for i in range(60):
            audit_record(actor=operator, action="x.y", object_type="x", object_id=i)

    assert_queries_pinned(as_user(operator), reverse("portal:audit-log"), grow=grow, expected=7)
