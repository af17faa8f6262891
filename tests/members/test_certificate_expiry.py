"""Providers are warned, weekly until fixed, when a live certificate expires soon."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail

from audit.models import Entry
from members import services
from members.tasks import certificate_expiry_warn
from tests.members.certs import make_certificate


def test_a_live_certificate_expiring_soon_warns_the_providers_people_once_a_week(
    make_saml_service,
    provider_a,
    tech_provider_a,
    tech_provider_b,
    provider_b,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.TRUSTNET_CERTIFICATE_WARNING_DAYS = 60
    expiring = make_saml_service(provider_a, signing_certificates=[make_certificate(days=20)])
    make_saml_service(provider_b)  # a year left: no warning
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_expiry_warn.delay().get() == 1
    (message,) = mail.outbox
    assert message.to == [tech_provider_a.email]
    assert expiring.live_version.name_fi in message.subject
    assert Entry.objects.filter(action="service.certificate_expiry_warned", object_id=str(expiring.pk)).count() == 1

    # The daily task runs again (or twice): nothing new within the week.
    assert services.certificate_expiry_warn() == 0
    week_later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=8)
    with time_machine.travel(week_later), django_capture_on_commit_callbacks(execute=True):
        assert services.certificate_expiry_warn() == 1
    assert len(mail.outbox) == 2


def test_a_pending_version_with_an_expiring_certificate_is_not_warned(make_saml_service, provider_a, settings):
    settings.TRUSTNET_CERTIFICATE_WARNING_DAYS = 60
    make_saml_service(provider_a, approve=False, signing_certificates=[make_certificate(days=20)])
    assert services.certificate_expiry_warn() == 0
