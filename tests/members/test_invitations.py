import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Entry
from members.models import Invitation, OrganisationRole, Role
from members.services import InvitationError, invitation_accept, invitation_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _token_from_email() -> str:
    body = mail.outbox[-1].body
    line = next(line for line in body.splitlines() if "/invitation/" in line)
    return line.rstrip("/").rsplit("/", 1)[-1]


def test_admin_invites_to_own_organisation_and_email_carries_a_working_link(
    admin_a, org_a, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(admin_a).post(
            reverse("members:organisation-people", args=[org_a.pk]),
            {"email": "New.Person@Example.org", "roles": ["technical", "signatory"], "language": "sv"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org"
    assert invitation.roles == ["signatory", "technical"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    # The invitation is written in the language the admin chose for it.
    assert "Kommun A" in mail.outbox[0].subject and "inbjuden" in mail.outbox[0].subject
    token = _token_from_email()
    assert invitation.token_hash != token and token not in str(Entry.objects.values_list("after", flat=True)[0])
    assert Entry.objects.filter(action="accounts.invitation.create", object_id=str(invitation.pk)).exists()


def test_new_person_accepts_by_creating_an_account_with_the_invited_email(admin_a, org_a, client):
    _invitation, token = invitation_create(
        by=admin_a, email="pia@example.org", organisation=org_a, roles=[Role.TECHNICAL]
    )
    url = reverse("members:invitation-accept", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "full_name": "Pia Pajunen",
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="pia@example.org")
    assert user.full_name == "Pia Pajunen"
    assert user.emailaddress_set.get().verified
    assert set(OrganisationRole.objects.filter(user=user).values_list("organisation_id", "role")) == {
        (org_a.pk, "technical")
    }
    assert Invitation.objects.get().accepted_by == user
    # The new person is now logged in.
    assert client.get(reverse("portal:member-dashboard")).status_code == 200


def test_weak_password_is_refused_with_a_message_and_nothing_created(admin_a, org_a, client):
    _invitation, token = invitation_create(
        by=admin_a, email="pia@example.org", organisation=org_a, roles=[Role.TECHNICAL]
    )
    url = reverse("members:invitation-accept", args=[token])
    response = client.post(url, {"full_name": "Pia", "password1": "12345", "password2": "12345"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="pia@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_existing_user_accepts_while_logged_in_and_gains_the_roles(admin_b, org_b, admin_a, org_a, as_user):
    _invitation, token = invitation_create(by=admin_b, email=admin_a.email, organisation=org_b, roles=[Role.SIGNATORY])
    url = reverse("members:invitation-accept", args=[token])
    client = as_user(admin_a)
    assert client.post(url).status_code == 302
    assert OrganisationRole.objects.filter(user=admin_a, organisation=org_b, role="signatory").exists()
    # Their existing role elsewhere is untouched.
    assert OrganisationRole.objects.filter(user=admin_a, organisation=org_a, role="admin").exists()


def test_existing_user_who_is_not_logged_in_is_asked_to_log_in(admin_b, org_b, admin_a, client):
    _invitation, token = invitation_create(by=admin_b, email=admin_a.email, organisation=org_b, roles=[Role.SIGNATORY])
    response = client.get(reverse("members:invitation-accept", args=[token]))
    assert response.status_code == 200
    assert "members/invitation_login.html" in [t.name for t in response.templates]


def test_reused_invitation_gives_a_clear_message_and_changes_nothing(admin_a, org_a, client):
    _invitation, token = invitation_create(
        by=admin_a, email="pia@example.org", organisation=org_a, roles=[Role.TECHNICAL]
    )
    url = reverse("members:invitation-accept", args=[token])
    client.post(
        url, {"full_name": "Pia", "password1": "a long enough pass phrase", "password2": "a long enough pass phrase"}
    )
    other = UserFactory(email="mallory@example.org")
    client.force_login(other)
    roles_before = OrganisationRole.objects.count()
    response = client.post(url)
    assert response.status_code == 400
    assert "already been used" in response.context["reason"]
    assert OrganisationRole.objects.count() == roles_before


def test_expired_invitation_gives_a_clear_message_and_creates_no_account(admin_a, org_a, client):
    _invitation, token = invitation_create(
        by=admin_a, email="pia@example.org", organisation=org_a, roles=[Role.TECHNICAL]
    )
    url = reverse("members:invitation-accept", args=[token])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        response = client.post(
            url,
            {"full_name": "Pia", "password1": "a long enough pass phrase", "password2": "a long enough pass phrase"},
        )
    assert response.status_code == 400
    assert "expired" in response.context["reason"]
    assert not User.objects.filter(email="pia@example.org").exists()


def test_revoked_invitation_cannot_be_used(admin_a, org_a, client, as_user):
    invitation, token = invitation_create(by=admin_a, email="pia@example.org", organisation=org_a, roles=["admin"])
    as_user(admin_a).post(reverse("members:invitation-revoke", args=[invitation.pk]))
    response = client.get(reverse("members:invitation-accept", args=[token]))
    assert response.status_code == 400
    assert "withdrawn" in response.context["reason"]


def test_unknown_token_gives_a_clear_message(client):
    response = client.get(reverse("members:invitation-accept", args=["not-a-token"]))
    assert response.status_code == 400
    assert "not valid" in response.context["reason"]


def test_invitation_addressed_to_someone_else_is_refused_for_the_logged_in_user(admin_a, org_a, admin_b):
    _invitation, token = invitation_create(by=admin_a, email="pia@example.org", organisation=org_a, roles=["admin"])
    with pytest.raises(InvitationError, match="another email address"):
        invitation_accept(token=token, user=admin_b)
    assert not OrganisationRole.objects.filter(user=admin_b, organisation=org_a).exists()
    assert Invitation.objects.get().accepted_at is None


def test_admin_cannot_invite_to_another_organisation(admin_a, org_b, as_user):
    response = as_user(admin_a).post(
        reverse("members:organisation-people", args=[org_b.pk]), {"email": "x@example.org", "roles": ["admin"]}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    with pytest.raises(PermissionDenied):
        invitation_create(by=admin_a, email="x@example.org", organisation=org_b, roles=["admin"])


def test_signatory_cannot_invite_even_to_own_organisation(signatory_a, org_a, as_user):
    response = as_user(signatory_a).post(
        reverse("members:organisation-people", args=[org_a.pk]), {"email": "x@example.org", "roles": ["admin"]}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_admin_cannot_withdraw_another_organisations_invitation(admin_a, admin_b, org_b, as_user):
    invitation, _ = invitation_create(by=admin_b, email="x@example.org", organisation=org_b, roles=["admin"])
    response = as_user(admin_a).post(reverse("members:invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_only_operator_staff_can_invite_staff(admin_a, operator):
    with pytest.raises(PermissionDenied):
        invitation_create(by=admin_a, email="x@example.org", organisation=None, grants_staff=True)
    invitation, _token = invitation_create(
        by=operator, email="colleague@example.org", organisation=None, grants_staff=True
    )
    assert invitation.grants_staff


def test_staff_invitation_makes_the_new_person_staff_and_sends_them_to_mfa_setup(operator, client):
    _invitation, token = invitation_create(
        by=operator, email="colleague@example.org", organisation=None, grants_staff=True
    )
    url = reverse("members:invitation-accept", args=[token])
    response = client.post(
        url,
        {
            "full_name": "Kaisa Kollega",
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
        },
    )
    assert response.url == reverse("mfa_activate_totp")
    assert User.objects.get(email="colleague@example.org").is_staff


def test_invitation_without_roles_is_refused_with_the_field_named(admin_a, org_a):
    with pytest.raises(ValidationError) as error:
        invitation_create(by=admin_a, email="x@example.org", organisation=org_a, roles=[])
    assert "roles" in error.value.message_dict
    assert not Invitation.objects.exists()


def test_operator_can_invite_to_any_organisation_from_its_people_page(operator, org_b, as_user):
    response = as_user(operator).post(
        reverse("members:organisation-people", args=[org_b.pk]),
        {"email": "sp-admin@example.org", "roles": ["admin"], "language": "fi"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().organisation == org_b
