"""Agreement versions, signing, version moves, termination and ending (DESIGN 3.1–3.6)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import Entry
from contracts import services
from contracts.models import AgreementVersion, Membership, Signature, Termination
from contracts.selectors import organisation_ids_in_force
from contracts.signals import membership_changed
from members.models import Role
from tests.factories import (
    AgreementVersionFactory,
    MembershipFactory,
    OrganisationRoleFactory,
    TermStartFactory,
    UserFactory,
)

TODAY = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def received():
    events = []

    def listener(sender, **kwargs):
        events.append((kwargs["organisation_id"], kwargs["role"], kwargs["reason"]))

    membership_changed.connect(listener)
    yield events
    membership_changed.disconnect(listener)


@pytest.fixture
def version(db):
    return AgreementVersionFactory()


def sign_as_member(org, user, version, role="home_organisation"):
    return services.signature_member_sign(
        organisation=org,
        role=role,
        version=version,
        by=user,
        full_name="Sanna Signeeraaja",
        title="Sivistysjohtaja",
        language="fi",
        ip_address="192.0.2.1",
    )


def countersign(membership, operator):
    return services.signature_operator_countersign(
        membership=membership,
        by=operator,
        full_name="Olli Operaattori",
        title="Palvelupäällikkö",
        ip_address="192.0.2.2",
    )


# --- versions ---


def test_draft_can_be_changed_and_published_version_cannot(operator):
    draft = services.version_draft_create(
        by=operator,
        number=7,
        label="Jäsensopimus 2027",
        text_fi="Teksti",
        text_sv="Text",
        effective_on=datetime.date(2027, 1, 1),
    )
    assert draft.state == AgreementVersion.State.DRAFT
    services.version_draft_update(version=draft, by=operator, text_fi="Uusi teksti")
    services.version_publish(version=draft, by=operator)
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    with pytest.raises(ValidationError):
        services.version_draft_update(version=draft, by=operator, text_fi="Muutettu")
    with pytest.raises(ValidationError):
        services.version_publish(version=draft, by=operator)
    assert AgreementVersion.objects.get(pk=draft.pk).text_fi == "Uusi teksti"
    actions = set(Entry.objects.values_list("action", flat=True))
    assert {"agreement_version.create", "agreement_version.update", "agreement_version.publish"} <= actions


def test_database_refuses_to_change_a_published_version(version):
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(text_fi="salaa muutettu")


def test_draft_requires_texts_in_finnish_and_swedish(operator):
    with pytest.raises(ValidationError) as error:
        services.version_draft_create(
            by=operator, number=1, label="x", text_fi="", text_sv=" ", effective_on=datetime.date(2027, 1, 1)
        )
    assert set(error.value.message_dict) == {"text_fi", "text_sv"}
    assert not AgreementVersion.objects.exists()


# --- signing ---


@time_machine.travel(TODAY, tick=False)
def test_member_signs_then_operator_countersigns_and_membership_comes_into_force(
    org_a, signatory_a, admin_a, operator, version, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_as_member(org_a, signatory_a, version)
    membership = signature.membership
    assert membership.state == Membership.State.AWAITING_OPERATOR
    assert signature.text_sha256 == services.text_sha256(version.text_fi)
    assert organisation_ids_in_force(role="home_organisation", on=TODAY.date()) == set()
    with django_capture_on_commit_callbacks(execute=True):
        countersign(membership, operator)
    membership.refresh_from_db()
    assert membership.state == Membership.State.IN_FORCE
    assert membership.in_force_from == TODAY.date()
    assert organisation_ids_in_force(role="home_organisation", on=TODAY.date()) == {org_a.pk}
    assert organisation_ids_in_force(role="service_provider", on=TODAY.date()) == set()
    assert received == [(org_a.pk, "home_organisation", "in_force")]
    recipients = {message.to[0] for message in mail.outbox}
    assert {"signatory-a@example.org", "admin-a@example.org", "operator@example.org"} <= recipients


def test_signature_is_immutable_in_the_database(org_a, signatory_a, version):
    signature = sign_as_member(org_a, signatory_a, version)
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(full_name="Joku muu")


def test_signing_twice_is_refused(org_a, signatory_a, version):
    sign_as_member(org_a, signatory_a, version)
    with pytest.raises(ValidationError, match="already been signed"):
        sign_as_member(org_a, signatory_a, version)
    assert Signature.objects.count() == 1


def test_database_allows_one_signature_per_party(org_a, signatory_a, version):
    signature = sign_as_member(org_a, signatory_a, version)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            membership=signature.membership,
            version=version,
            party="member",
            user=signatory_a,
            full_name="x",
            title="y",
            organisation_name="z",
            language="fi",
            text_sha256="0" * 64,
        )


def test_signing_an_outdated_version_is_refused(org_a, signatory_a, version):
    AgreementVersionFactory(effective_on=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError) as error:
        sign_as_member(org_a, signatory_a, version)
    assert "version" in error.value.message_dict
    assert not Membership.objects.exists()


def test_signing_a_draft_or_future_version_is_refused(org_a, signatory_a, version):
    future = AgreementVersionFactory(effective_on=datetime.date(2100, 1, 1))
    with pytest.raises(ValidationError):
        sign_as_member(org_a, signatory_a, future)
    assert not Signature.objects.exists()


def test_admin_who_is_not_signatory_cannot_sign(org_a, admin_a, version):
    with pytest.raises(PermissionDenied):
        sign_as_member(org_a, admin_a, version)
    assert not Signature.objects.exists()


def test_signatory_of_other_org_cannot_sign(org_b, signatory_a, version):
    with pytest.raises(PermissionDenied):
        sign_as_member(org_b, signatory_a, version)


def test_organisation_signs_only_in_its_registered_roles(org_a, signatory_a, version):
    with pytest.raises(ValidationError) as error:
        sign_as_member(org_a, signatory_a, version, role="service_provider")
    assert "role" in error.value.message_dict


def test_countersigning_before_member_signed_is_refused(org_a, operator, version):
    membership = Membership.objects.create(organisation=org_a, role="home_organisation", version=version)
    with pytest.raises(ValidationError, match="has not signed"):
        countersign(membership, operator)
    membership.refresh_from_db()
    assert membership.in_force_from is None
    assert not Signature.objects.exists()


def test_countersigning_twice_is_refused(org_a, signatory_a, operator, version):
    membership = sign_as_member(org_a, signatory_a, version).membership
    countersign(membership, operator)
    with pytest.raises(ValidationError):
        countersign(membership, operator)
    assert Signature.objects.filter(party="operator").count() == 1


def test_member_user_cannot_countersign(org_a, signatory_a, version):
    membership = sign_as_member(org_a, signatory_a, version).membership
    with pytest.raises(PermissionDenied):
        countersign(membership, signatory_a)


# --- version moves ---


def test_membership_version_move_is_idempotent(operator, version):
    membership = MembershipFactory(version=version)
    newer = AgreementVersionFactory()
    services.membership_version_move(membership=membership, version=newer, by=operator)
    count = Entry.objects.count()
    services.membership_version_move(membership=membership, version=newer, by=operator)
    membership.refresh_from_db()
    assert membership.version == newer
    assert Entry.objects.count() == count


def test_membership_cannot_move_to_a_draft(operator, version):
    membership = MembershipFactory(version=version)
    draft = AgreementVersionFactory(state="draft", published_at=None)
    with pytest.raises(ValidationError):
        services.membership_version_move(membership=membership, version=draft, by=operator)


# --- termination and ending ---


@time_machine.travel(TODAY, tick=False)
def test_member_notice_ends_after_one_month_and_stays_in_force_until_then(
    org_a, signatory_a, received, django_capture_on_commit_callbacks
):
    membership = MembershipFactory(organisation=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        termination = services.termination_create(
            membership=membership, kind="notice", given_by="member", by=signatory_a
        )
    assert termination.ends_on == datetime.date(2027, 4, 15)
    membership.refresh_from_db()
    assert membership.state == Membership.State.UNDER_NOTICE
    assert received == [(org_a.pk, "home_organisation", "notice")]
    assert org_a.pk in organisation_ids_in_force(role="home_organisation", on=datetime.date(2027, 4, 14))
    assert org_a.pk not in organisation_ids_in_force(role="home_organisation", on=datetime.date(2027, 4, 15))
    assert any("15 April 2027" in message.subject for message in mail.outbox)


@time_machine.travel(TODAY, tick=False)
def test_operator_notice_to_home_organisation_waits_for_the_term_start(org_a, operator):
    TermStartFactory(starts_on=datetime.date(2027, 8, 11))
    TermStartFactory(starts_on=datetime.date(2028, 1, 8), term="spring")
    membership = MembershipFactory(organisation=org_a)
    termination = services.termination_create(membership=membership, kind="notice", given_by="operator", by=operator)
    assert termination.ends_on == datetime.date(2027, 9, 15)  # six months is later than 11 August


@time_machine.travel(TODAY, tick=False)
def test_operator_notice_without_known_term_start_is_refused(org_a, operator):
    membership = MembershipFactory(organisation=org_a)
    with pytest.raises(ValidationError, match="term start"):
        services.termination_create(membership=membership, kind="notice", given_by="operator", by=operator)
    assert not Termination.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_notice_by_a_user_without_the_role_is_refused_and_nothing_recorded(org_a, admin_a, admin_b, operator):
    membership = MembershipFactory(organisation=org_a)
    before = Entry.objects.count()
    for user, party in [(admin_a, "member"), (admin_b, "member"), (admin_a, "operator")]:
        with pytest.raises(PermissionDenied):
            services.termination_create(membership=membership, kind="notice", given_by=party, by=user)
    assert not Termination.objects.exists()
    assert Entry.objects.count() == before


@time_machine.travel(TODAY, tick=False)
def test_change_termination_ends_on_the_change_date(org_a, signatory_a):
    membership = MembershipFactory(organisation=org_a)
    termination = services.termination_create(
        membership=membership, kind="change", given_by="member", by=signatory_a, ends_on=datetime.date(2027, 6, 1)
    )
    membership.refresh_from_db()
    assert termination.kind == "change"
    assert membership.ends_on == datetime.date(2027, 6, 1)


@time_machine.travel(TODAY, tick=False)
def test_earliest_termination_wins(org_a, signatory_a):
    membership = MembershipFactory(organisation=org_a)
    services.termination_create(
        membership=membership, kind="change", given_by="member", by=signatory_a, ends_on=datetime.date(2027, 6, 1)
    )
    services.termination_create(membership=membership, kind="notice", given_by="member", by=signatory_a)
    membership.refresh_from_db()
    assert membership.ends_on == datetime.date(2027, 4, 15)


def test_ending_task_is_idempotent_and_safe_to_run_late(
    org_a, signatory_a, received, django_capture_on_commit_callbacks
):
    from contracts.tasks import memberships_end

    with time_machine.travel(TODAY, tick=False):
        membership = MembershipFactory(organisation=org_a)
        services.termination_create(membership=membership, kind="notice", given_by="member", by=signatory_a)
        assert memberships_end() == 0
    received.clear()
    late = datetime.datetime(2027, 4, 20, 3, 0, tzinfo=datetime.UTC)
    with time_machine.travel(late, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert memberships_end() == 1
        assert memberships_end() == 0
    membership.refresh_from_db()
    assert membership.state == Membership.State.ENDED
    assert membership.ended_at is not None
    assert received == [(org_a.pk, "home_organisation", "ended")]
    # One email per person, although the task ran twice.
    ended_mail = [m.to[0] for m in mail.outbox if "Membership ended" in m.subject]
    assert ended_mail.count("signatory-a@example.org") == 1
    assert Entry.objects.filter(action="membership.end").count() == 1


def test_selector_runs_one_query(django_assert_num_queries, version):
    for _ in range(5):
        MembershipFactory(version=version)
    with django_assert_num_queries(1):
        assert len(organisation_ids_in_force(role="home_organisation", on=datetime.date(2027, 1, 1))) == 5


def test_ended_membership_can_be_followed_by_a_new_one(org_a, version):
    MembershipFactory(
        organisation=org_a,
        ends_on=datetime.date(2021, 1, 1),
        ended_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
    )
    MembershipFactory(organisation=org_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(organisation=org_a)


def test_user_factory_is_importable():
    assert UserFactory and OrganisationRoleFactory and Role


def test_only_the_first_version_is_published_without_a_steering_decision(operator):
    def draft(number):
        return services.version_draft_create(
            by=operator,
            number=number,
            label=f"v{number}",
            text_fi="T",
            text_sv="T",
            effective_on=datetime.date(2027, 1, 1),
        )

    first = services.version_publish(version=draft(1), by=operator)
    assert first.is_published
    second = draft(2)
    with pytest.raises(ValidationError, match="steering-group decision"):
        services.version_publish(version=second, by=operator)
    assert not AgreementVersion.objects.get(pk=second.pk).is_published
