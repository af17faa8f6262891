"""Issue 11: the steering group's models left `contracts` and people's roles left `accounts`, with
migrations that change no table. A database made at the old layout migrates forward with every
row, and every content type (with its permissions), kept."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from members.models import Invitation, OrganisationRole
from steering.models import ChangeNotice, EligibleSeat, Proposal, Seat, SteeringGroup, Vote

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [
    ("contracts", "0005_proposal_title_rationale_in_languages"),
    ("accounts", "0002_personal_api_tokens"),
    ("members", "0004_service_logo_size_and_expiry_warning"),
    ("steering", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_layout():
    apps = _migrate(OLD_LAYOUT)
    yield apps
    _migrate(_latest())


def _fill_old_layout(apps):
    now = timezone.now()
    User = apps.get_model("accounts", "User")
    Organisation = apps.get_model("members", "Organisation")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = {name: apps.get_model(*name.split(".")) for name in [
        "accounts.OrganisationRole", "accounts.Invitation", "contracts.SteeringGroup", "contracts.Seat",
        "contracts.AgreementVersion", "contracts.Proposal", "contracts.EligibleSeat", "contracts.Vote",
        "contracts.ChangeNotice",
    ]}  # fmt: skip
    holder = User.objects.create(email="seat@example.org", full_name="Seat Holder", password="!")
    organisation = Organisation.objects.create(name_fi="Esimerkki", business_id="0201256-6", kind="municipality")
    role = old["accounts.OrganisationRole"].objects.create(user=holder, organisation=organisation, role="admin")
    invitation = old["accounts.Invitation"].objects.create(
        email="new@example.org", organisation=organisation, roles=["technical"], token_hash="a" * 64,
        invited_by=holder, expires_at=now + datetime.timedelta(days=14),
    )  # fmt: skip
    group = old["contracts.SteeringGroup"].objects.create(name="Ohjausryhmä", majority_numerator=3)
    seat = old["contracts.Seat"].objects.create(
        group=group, holder=holder, organisation=organisation, term_start=datetime.date(2026, 1, 1)
    )
    version = old["contracts.AgreementVersion"].objects.create(
        number=2, label="v2", text_fi="Uusi", text_sv="Ny", effective_on=datetime.date(2027, 1, 1)
    )
    proposal = old["contracts.Proposal"].objects.create(
        group=group, version=version, title_fi="Muutos", title_sv="Ändring", rationale_fi="Koska",
        rationale_sv="Därför", effective_date=datetime.date(2027, 1, 1), created_by=holder, status="open",
        opened_at=now, deadline=now + datetime.timedelta(days=7),
    )  # fmt: skip
    old["contracts.EligibleSeat"].objects.create(
        proposal=proposal, seat=seat, holder=holder, holder_name="Seat Holder", organisation_name="Esimerkki"
    )
    vote = old["contracts.Vote"].objects.create(proposal=proposal, seat=seat, choice="yes", cast_by=holder)
    old["contracts.ChangeNotice"].objects.create(proposal=proposal, organisation=organisation, notified_at=now)
    # Content types exist at the old layout once a site has run; permissions hang on them.
    seat_type, _ = ContentType.objects.get_or_create(app_label="contracts", model="seat")
    role_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="organisationrole")
    permission, _ = Permission.objects.get_or_create(
        content_type=seat_type, codename="view_seat", defaults={"name": "Can view seat"}
    )
    return {
        "role": role.pk, "invitation": invitation.pk, "group": group.pk, "seat": seat.pk, "proposal": proposal.pk,
        "vote": vote.pk, "seat_type": seat_type.pk, "role_type": role_type.pk, "permission": permission.pk,
        "holder": holder.pk, "organisation": organisation.pk,
    }  # fmt: skip


def test_rows_made_at_the_old_layout_are_all_there_after_the_move(old_layout):
    made = _fill_old_layout(old_layout)

    new_apps = _migrate(_latest())

    role = OrganisationRole.objects.get(pk=made["role"])
    assert (role.user_id, role.organisation_id, role.role) == (made["holder"], made["organisation"], "admin")
    invitation = Invitation.objects.get(pk=made["invitation"])
    assert (invitation.email, invitation.roles) == ("new@example.org", ["technical"])
    assert SteeringGroup.objects.get(pk=made["group"]).majority_numerator == 3
    assert Seat.objects.get(pk=made["seat"]).holder_id == made["holder"]
    proposal = Proposal.objects.get(pk=made["proposal"])
    assert (proposal.title_fi, proposal.status, proposal.group_id) == ("Muutos", "open", made["group"])
    assert Vote.objects.get(pk=made["vote"]).choice == "yes"
    assert EligibleSeat.objects.filter(proposal=proposal).count() == 1
    assert ChangeNotice.objects.filter(proposal=proposal).count() == 1
    # The same content type rows now carry the new app labels, so permissions kept their ids.
    ContentType = new_apps.get_model("contenttypes", "ContentType")
    assert ContentType.objects.get(pk=made["seat_type"]).app_label == "steering"
    assert ContentType.objects.get(pk=made["role_type"]).app_label == "members"
    Permission = new_apps.get_model("auth", "Permission")
    assert Permission.objects.get(pk=made["permission"]).content_type_id == made["seat_type"]


# members 0010: schools' offices (issue 12); 0012: rotated-out OIDC client secrets (issue 13).
LATER_NEW_TABLES = {"members_office", "members_previousclientsecret", "members_loginsource_excluded_schools"}


def test_the_move_changes_no_table(old_layout):
    with connection.cursor() as cursor:
        before = set(connection.introspection.table_names(cursor))
    _migrate(_latest())
    with connection.cursor() as cursor:
        after = set(connection.introspection.table_names(cursor))
    # Tables that migrations after the move add for new models (not moved ones).
    assert after - LATER_NEW_TABLES == before
    assert {"contracts_proposal", "contracts_seat", "accounts_organisationrole", "accounts_invitation"} <= after
