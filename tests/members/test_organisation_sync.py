"""Organisation register sync against the local fixture server: preview, confirm (exactly the
previewed changes, in one transaction, audited), the changed-upstream case, the closed-school
rule, register failures that change nothing, staff-only access, and the daily check's emails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Entry
from members import organisation_sync
from members.models import LoginSource, MunicipalityCode, Office, Role, School
from members.organisation_register import RegisterError
from members.organisation_sync import PreviewOutdated, sync_apply, sync_check_all, sync_preview
from members.tasks import organisation_register_check_all
from tests.factories import OrganisationFactory, OrganisationRoleFactory
from tests.members.register_server import ORG_OID, fixture_json

TODAY = dt.date(2026, 12, 1)
PELLINKI = "1.2.246.562.10.20000000014"


@pytest.fixture
def porvoo(db):
    organisation = OrganisationFactory(
        name_fi="Porvoon kaupunki", name_sv="Borgå stad", name_en="", business_id="1061512-1", oid=ORG_OID
    )
    MunicipalityCode.objects.create(organisation=organisation, code="638")
    School.objects.create(
        organisation=organisation, code="03950", oid="1.2.246.562.10.20000000011", name="Kvarnbackens skola",
        school_type="basic",
    )  # fmt: skip
    School.objects.create(organisation=organisation, code="03952", name="Näsin koulu", school_type="basic")
    pellinki = School.objects.create(
        organisation=organisation, code="03954", oid=PELLINKI, name="Pellingin koulu", school_type="basic"
    )
    source = LoginSource.objects.create(organisation=organisation, kind="wilma", name="Borgå Wilma", hostnames=["p.fi"])
    source.schools.add(pellinki)
    return organisation


@pytest.fixture
def porvoo_admin(porvoo):
    return OrganisationRoleFactory(
        organisation=porvoo, role=Role.ADMIN, user__email="admin@porvoo.example", user__language="sv"
    ).user


def snapshot(organisation):
    return (
        sorted(School.objects.filter(organisation=organisation).values_list("code", "oid", "name", "closed_on")),
        sorted(Office.objects.values_list("oid", "name")),
        list(type(organisation).objects.filter(pk=organisation.pk).values_list("name_fi", "name_sv", "name_en")),
    )


def test_preview_lists_what_the_register_would_change(porvoo, register_server):
    register_server.serve_fixture_organisation()

    preview = sync_preview(organisation=porvoo, today=TODAY)

    assert [(c.field, c.after) for c in preview.organisation] == [("name_en", "City of Porvoo")]
    assert [s.code for s in preview.new_schools] == ["03953"]
    assert [(s.code, s.name) for s in preview.renamed_schools] == [("03952", "Näsin yhtenäiskoulu")]
    assert [s.code for s in preview.closed_schools] == ["03954"]
    assert [o.oid for o in preview.new_offices] == ["1.2.246.562.10.20000000111"]


def test_previewing_changes_nothing(porvoo, register_server):
    register_server.serve_fixture_organisation()
    before = snapshot(porvoo)

    sync_preview(organisation=porvoo, today=TODAY)

    assert snapshot(porvoo) == before


def test_confirm_applies_exactly_the_preview_and_is_audited(porvoo, register_server, operator):
    register_server.serve_fixture_organisation()
    preview = sync_preview(organisation=porvoo, today=TODAY)

    sync_apply(organisation=porvoo, fingerprint=preview.fingerprint, by=operator, today=TODAY)

    porvoo.refresh_from_db()
    assert porvoo.name_en == "City of Porvoo"
    huhtinen = School.objects.get(code="03953")
    assert (huhtinen.organisation, huhtinen.oid, huhtinen.name, huhtinen.school_type) == (
        porvoo, "1.2.246.562.10.20000000013", "Huhtisen koulu", "basic",
    )  # fmt: skip
    nasi = School.objects.get(code="03952")
    assert (nasi.name, nasi.oid) == ("Näsin yhtenäiskoulu", "1.2.246.562.10.20000000012")
    assert list(Office.objects.values_list("oid", "school__code")) == [("1.2.246.562.10.20000000111", "03950")]
    assert not School.objects.filter(code="03955").exists()  # planned: not yet
    entry = Entry.objects.get(action=organisation_sync.SYNC_ACTION)
    assert entry.actor_id == operator.pk and entry.after["new_schools"][0]["code"] == "03953"
    # Applied once; the register and trustnet now agree.
    assert sync_preview(organisation=porvoo, today=TODAY).is_empty


def test_a_closed_school_is_marked_closed_and_its_login_source_keeps_it(porvoo, register_server, operator):
    register_server.serve_fixture_organisation()
    preview = sync_preview(organisation=porvoo, today=TODAY)

    sync_apply(organisation=porvoo, fingerprint=preview.fingerprint, by=operator, today=TODAY)

    pellinki = School.objects.get(oid=PELLINKI)
    assert pellinki.closed_on == TODAY
    assert list(pellinki.login_sources.values_list("name", flat=True)) == ["Borgå Wilma"]


def test_confirm_after_upstream_changed_shows_the_new_preview_and_changes_nothing(porvoo, register_server, operator):
    register_server.serve_fixture_organisation()
    seen = sync_preview(organisation=porvoo, today=TODAY)
    descendants = fixture_json("jalkelaiset.json")
    descendants["organisaatiot"][2]["nimi"]["fi"] = "Huhtisten koulu"
    register_server.serve_fixture_organisation(descendants=descendants)
    before = snapshot(porvoo)

    with pytest.raises(PreviewOutdated) as outdated:
        sync_apply(organisation=porvoo, fingerprint=seen.fingerprint, by=operator, today=TODAY)

    assert [s.name for s in outdated.value.preview.new_schools] == ["Huhtisten koulu"]
    assert snapshot(porvoo) == before
    assert not Entry.objects.filter(action=organisation_sync.SYNC_ACTION).exists()


@pytest.mark.parametrize("failure", ["500", "malformed", "timeout"])
def test_a_failing_register_on_confirm_changes_nothing(porvoo, register_server, operator, failure, settings):
    register_server.serve_fixture_organisation()
    preview = sync_preview(organisation=porvoo, today=TODAY)
    path = f"/api/{ORG_OID}/jalkelaiset"
    if failure == "500":
        register_server.answer(path, {"errorMessage": "boom"}, status=500)
    elif failure == "malformed":
        register_server.answer(path, raw=b'{"numHits": 3, "organisaatiot": [{"oid"')
    else:
        settings.ORGANISATION_REGISTER_TIMEOUT = 0.2
        register_server.answer(path, fixture_json("jalkelaiset.json"), delay=1.0)
    before = snapshot(porvoo)

    with pytest.raises(RegisterError):
        sync_apply(organisation=porvoo, fingerprint=preview.fingerprint, by=operator, today=TODAY)

    assert snapshot(porvoo) == before


def test_a_business_id_another_member_has_is_refused_and_nothing_changes(porvoo, register_server, operator):
    type(porvoo).objects.filter(pk=porvoo.pk).update(business_id="0201256-6")
    OrganisationFactory(business_id="1061512-1", name_fi="Väärä Porvoo")
    porvoo.refresh_from_db()
    register_server.serve_fixture_organisation()
    preview = sync_preview(organisation=porvoo, today=TODAY)
    before = snapshot(porvoo)

    with pytest.raises(ValidationError, match="Business ID already exists"):
        sync_apply(organisation=porvoo, fingerprint=preview.fingerprint, by=operator, today=TODAY)

    assert snapshot(porvoo) == before
    assert not Entry.objects.filter(action=organisation_sync.SYNC_ACTION).exists()


def test_a_school_the_register_moved_here_leaves_the_other_organisations_login_source(
    porvoo, register_server, operator
):
    sipoo = OrganisationFactory(name_fi="Sipoon kunta")
    huhtinen = School.objects.create(organisation=sipoo, code="03953", name="Huhtisen koulu", school_type="basic")
    source = LoginSource.objects.create(organisation=sipoo, kind="wilma", name="Sipoo Wilma", hostnames=["s.fi"])
    source.schools.add(huhtinen)
    register_server.serve_fixture_organisation()
    preview = sync_preview(organisation=porvoo, today=TODAY)
    assert [(s.code, s.before) for s in preview.moved_schools] == [("03953", "Sipoon kunta")]

    sync_apply(organisation=porvoo, fingerprint=preview.fingerprint, by=operator, today=TODAY)

    huhtinen.refresh_from_db()
    assert huhtinen.organisation == porvoo and huhtinen.oid == "1.2.246.562.10.20000000013"
    assert not source.schools.exists()


# ---------------------------------------------------------------- the page


def test_staff_see_the_preview_and_confirm_it(porvoo, register_server, operator, as_user):
    register_server.serve_fixture_organisation()
    client = as_user(operator)
    url = reverse("members:organisation-register", args=[porvoo.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert "Huhtisen koulu" in page.content.decode() and "Näsin yhtenäiskoulu" in page.content.decode()
    fingerprint = page.context["preview"].fingerprint
    response = client.post(url, {"fingerprint": fingerprint})
    assert response.status_code == 302
    assert School.objects.filter(code="03953", organisation=porvoo).exists()


def test_the_page_shows_the_new_preview_when_upstream_changed(porvoo, register_server, operator, as_user):
    register_server.serve_fixture_organisation()
    client = as_user(operator)
    url = reverse("members:organisation-register", args=[porvoo.pk])

    response = client.post(url, {"fingerprint": "stale"})

    assert response.status_code == 200
    assert "changed since you looked" in response.content.decode()
    assert not School.objects.filter(code="03953").exists()


def test_the_page_explains_a_register_that_is_down(porvoo, register_server, operator, as_user):
    register_server.answer(f"/api/{ORG_OID}", {"errorMessage": "boom"}, status=502)

    page = as_user(operator).get(reverse("members:organisation-register", args=[porvoo.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "organisation register is not available" in content and "Nothing was changed." in content


@pytest.mark.parametrize("persona", ["porvoo_admin", "admin_b", "operator_without_mfa", None])
def test_members_cannot_see_or_confirm_the_preview(porvoo, register_server, request, as_user, persona):
    register_server.serve_fixture_organisation()
    user = request.getfixturevalue(persona) if persona else None
    client = as_user(user)
    url = reverse("members:organisation-register", args=[porvoo.pk])

    for response in (client.get(url), client.post(url, {"fingerprint": "x"})):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            # Anonymous: to the login page; staff without MFA: to MFA enrolment. Never the page.
            assert response["Location"].split("?")[0] in (reverse("account_login"), reverse("mfa_activate_totp"))
    assert not School.objects.filter(code="03953").exists()
    assert register_server.requests == []  # nothing was even asked of the register


# ---------------------------------------------------------------- the daily check


def test_daily_check_mails_staff_and_admins_once_per_change(
    porvoo, porvoo_admin, register_server, operator, django_capture_on_commit_callbacks
):
    register_server.serve_fixture_organisation()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = organisation_register_check_all.delay().get()

    assert report == {"checked": 1, "changed": ["Porvoon kaupunki"], "errors": {}}
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {operator.email, porvoo_admin.email}
    assert "Huhtisen koulu" in by_recipient[operator.email].body
    assert "Huhtisen koulu" in by_recipient[porvoo_admin.email].body
    assert not School.objects.filter(code="03953").exists()  # told, not applied

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sync_check_all(today=TODAY)
    assert mail.outbox == []  # the same pending change is not mailed again


def test_daily_check_sends_nothing_when_nothing_changed(
    porvoo, porvoo_admin, register_server, operator, django_capture_on_commit_callbacks
):
    register_server.serve_fixture_organisation()
    preview = sync_preview(organisation=porvoo, today=TODAY)
    sync_apply(organisation=porvoo, fingerprint=preview.fingerprint, by=operator, today=TODAY)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = sync_check_all(today=TODAY)

    assert (report.checked, report.changed) == (1, [])
    assert mail.outbox == []


def test_one_organisations_error_does_not_stop_the_others(
    porvoo, register_server, operator, django_capture_on_commit_callbacks
):
    OrganisationFactory(name_fi="Aaltokylän kunta", oid="1.2.246.562.10.20000000999")  # unknown upstream: 404
    register_server.serve_fixture_organisation()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = sync_check_all(today=TODAY)

    assert report.checked == 2 and report.changed == ["Porvoon kaupunki"]
    assert "no organisation with the OID 1.2.246.562.10.20000000999" in report.errors["Aaltokylän kunta"]
    errors_mail = [m for m in mail.outbox if "could not read every organisation" in m.subject]
    assert [m.to for m in errors_mail] == [[operator.email]]
    assert "Aaltokylän kunta" in errors_mail[0].body


def test_the_daily_task_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "members.tasks.organisation_register_check_all" in tasks
