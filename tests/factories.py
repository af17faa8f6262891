"""factory_boy factories shared by all tests."""

from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User
from contracts.models import AgreementVersion, Membership, TermStart
from members.business_id import business_id_check_digit
from members.models import Organisation, OrganisationKind, OrganisationRole, Role
from steering.models import Seat, SteeringGroup

TEST_PASSWORD = "correct horse battery staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _business_id(n: int) -> str:
    """The n-th valid business ID (skipping digit sequences that have no valid check digit)."""
    base = 1000000 + n * 13
    while business_id_check_digit(f"{base:07d}") is None:
        base += 1
    return f"{base:07d}-{business_id_check_digit(f'{base:07d}')}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="fi_FI")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, TEST_TOTP_SECRET)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_fi = factory.Sequence(lambda n: f"Testikunta {n}")
    name_sv = factory.Sequence(lambda n: f"Testkommun {n}")
    name_en = factory.Sequence(lambda n: f"Test municipality {n}")
    business_id = factory.Sequence(_business_id)
    kind = OrganisationKind.MUNICIPALITY
    is_home_organisation = True
    is_service_provider = False


class ServiceProviderOrganisationFactory(OrganisationFactory):
    name_fi = factory.Sequence(lambda n: f"Palvelu {n} Oy")
    kind = OrganisationKind.COMPANY
    is_home_organisation = False
    is_service_provider = True


class OrganisationRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADMIN


class SteeringGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SteeringGroup

    name = "Ohjausryhmä"


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    group = factory.SubFactory(SteeringGroupFactory)
    holder = factory.SubFactory(UserFactory, mfa=True)
    organisation = factory.SubFactory(OrganisationFactory)
    term_start = datetime.date(2020, 1, 1)
    term_end = None


class AgreementVersionFactory(factory.django.DjangoModelFactory):
    """A published version in effect since 2020 unless told otherwise."""

    class Meta:
        model = AgreementVersion

    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"Jäsensopimus {o.number}")
    text_fi = factory.LazyAttribute(lambda o: f"Sopimusteksti {o.number}.\n\n1. Osapuolet ja tarkoitus.")
    text_sv = factory.LazyAttribute(lambda o: f"Avtalstext {o.number}.\n\n1. Parter och syfte.")
    text_en = ""
    effective_on = datetime.date(2020, 1, 1)
    state = AgreementVersion.State.PUBLISHED
    published_at = factory.LazyFunction(lambda: datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership in force (signatures are not made here; tests that need them sign via services)."""

    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    role = "home_organisation"
    version = factory.SubFactory(AgreementVersionFactory)
    in_force_from = datetime.date(2020, 1, 1)


class TermStartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermStart
        django_get_or_create = ("starts_on",)

    starts_on = datetime.date(2027, 8, 11)
    term = "autumn"
