"""OIDC details and secret rotation with an overlap (issue 13 item 4)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Entry
from members import services
from members.models import PreviousClientSecret, Service
from members.secrets import secret_decrypt
from tests.members.conftest import oidc_data

pytestmark = pytest.mark.django_db


def _create(provider, by, **overrides):
    return services.service_create(
        provider=provider, by=by, environment="test", protocol="oidc", data=oidc_data(**overrides)
    )


def test_defaults_are_the_authorization_code_flow_with_openid_profile(provider_a, tech_provider_a):
    version = _create(provider_a, tech_provider_a).version
    assert version.scope == "openid profile"
    assert version.grant_types == ["authorization_code"]
    assert version.response_types == ["code"]
    assert version.post_logout_redirect_uris == []


def test_details_are_stored_cleaned(provider_a, tech_provider_a):
    version = _create(
        provider_a, tech_provider_a,
        post_logout_redirect_uris=[" https://app.example.fi/logged-out "],
        scope="openid  profile openid email",
        grant_types=["refresh_token", "authorization_code"],
    ).version  # fmt: skip
    assert version.post_logout_redirect_uris == ["https://app.example.fi/logged-out"]
    assert version.scope == "openid profile email"
    assert version.grant_types == ["authorization_code", "refresh_token"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"post_logout_redirect_uris": ["https://app.example.fi/out#x"]}, "post_logout_redirect_uris", "fragment"),
        ({"post_logout_redirect_uris": ["http://app.example.fi/out"]}, "post_logout_redirect_uris", "https"),
        ({"scope": "profile email"}, "scope", "must include openid"),
        ({"scope": 'openid "quoted"'}, "scope", "not a valid scope value"),
        ({"grant_types": ["implicit"]}, "grant_types", "Unknown grant type: implicit"),
        ({"grant_types": ["refresh_token"]}, "grant_types", "authorization_code grant type is required"),
        ({"response_types": ["id_token"]}, "response_types", "Only the response type code"),
    ],
)
def test_bad_details_are_refused_with_the_field_named(provider_a, tech_provider_a, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        _create(provider_a, tech_provider_a, **overrides)
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Service.objects.exists()


def test_client_secret_post_gets_a_secret(provider_a, tech_provider_a):
    created = _create(provider_a, tech_provider_a, auth_method="client_secret_post")
    assert created.version.auth_method == "client_secret_post"
    assert created.client_secret and services.oidc_client_secret(created.service) == created.client_secret


def test_rotation_with_an_overlap_keeps_the_old_secret_until_it_ends(provider_a, tech_provider_a, make_oidc_service):
    service = make_oidc_service(provider_a)
    old = services.oidc_client_secret(service)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC), tick=False):
        new = services.oidc_secret_rotate(service=service, by=tech_provider_a, overlap_days=7)
    previous = PreviousClientSecret.objects.get(service=service)
    assert secret_decrypt(previous.secret_encrypted) == old != new
    assert previous.expires_at == datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC)
    entry = Entry.objects.filter(action="service.secret_rotate").latest("id")
    assert entry.after["overlap_days"] == 7 and old not in str(entry.after) and new not in str(entry.after)
    # The cleanup drops it only once the overlap has ended.
    assert services.previous_secrets_prune(now=datetime.datetime(2026, 12, 8, 11, tzinfo=datetime.UTC)) == 0
    assert services.previous_secrets_prune(now=datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC)) == 1
    assert not PreviousClientSecret.objects.exists()


def test_an_overlap_not_offered_is_refused(provider_a, tech_provider_a, make_oidc_service):
    service = make_oidc_service(provider_a)
    old = services.oidc_client_secret(service)
    with pytest.raises(ValidationError) as excinfo:
        services.oidc_secret_rotate(service=service, by=tech_provider_a, overlap_days=365)
    assert "overlap_days" in excinfo.value.message_dict
    assert services.oidc_client_secret(Service.objects.get(pk=service.pk)) == old


def test_the_member_chooses_the_overlap_and_sees_until_when_the_old_secret_works(
    provider_a, tech_provider_a, make_oidc_service, as_user
):
    service = make_oidc_service(provider_a)
    client = as_user(tech_provider_a)
    page = client.get(reverse("members:service-detail", args=[service.pk])).content.decode()
    assert 'name="overlap_days"' in page
    response = client.post(reverse("members:service-secret-rotate", args=[service.pk]), {"overlap_days": "30"})
    page = client.get(response["Location"]).content.decode()
    assert services.oidc_client_secret(Service.objects.get(pk=service.pk)) in page  # shown once
    assert "The previous client secret keeps working until" in page
    assert PreviousClientSecret.objects.get(service=service).expires_at > service.created_at + datetime.timedelta(29)


def test_the_form_and_the_api_take_the_details(provider_a, tech_provider_a, as_user):
    client = as_user(tech_provider_a)
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {
            "environment": "test",
            "name_fi": "OIDC-palvelu",
            "redirect_uris_text": "https://app.example.fi/cb",
            "post_logout_redirect_uris_text": "https://app.example.fi/out#frag",
            "auth_method": "client_secret_post",
            "scope": "openid profile",
            "refresh_tokens": "on",
        },
    )
    assert response.status_code == 200
    assert "fragment" in " ".join(response.context["form"].errors["post_logout_redirect_uris_text"])
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {
            "environment": "test",
            "name_fi": "OIDC-palvelu",
            "redirect_uris_text": "https://app.example.fi/cb",
            "post_logout_redirect_uris_text": "https://app.example.fi/out",
            "auth_method": "client_secret_post",
            "scope": "openid profile email",
            "refresh_tokens": "on",
        },
    )
    assert response.status_code == 302
    version = Service.objects.get().versions.get()
    assert version.post_logout_redirect_uris == ["https://app.example.fi/out"]
    assert version.grant_types == ["authorization_code", "refresh_token"]
    assert version.scope == "openid profile email" and version.auth_method == "client_secret_post"


def test_the_api_takes_and_shows_the_details(provider_a, tech_provider_a):
    from tests.members.test_api_writes import _client

    client = _client(tech_provider_a)
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "oidc", **oidc_data(scope="profile")}
    response = client.post("/api/services/", body, format="json")
    assert response.status_code == 400 and "scope" in response.json()
    body = {
        **body, "scope": "openid email", "post_logout_redirect_uris": ["https://app.example.fi/out"],
        "grant_types": ["authorization_code", "refresh_token"], "auth_method": "client_secret_post",
    }  # fmt: skip
    response = client.post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    shown = response.json()["pending_version"] or response.json()["live_version"]
    assert shown["scope"] == "openid email" and shown["response_types"] == ["code"]
    assert shown["post_logout_redirect_uris"] == ["https://app.example.fi/out"]
    assert shown["grant_types"] == ["authorization_code", "refresh_token"]
    assert response.json()["client_secret"]


def test_a_service_without_a_usable_secret_is_told_to_generate_one(
    provider_a, tech_provider_a, make_oidc_service, as_user
):
    service = make_oidc_service(provider_a)
    Service.objects.filter(pk=service.pk).update(client_secret_encrypted="")
    client = as_user(tech_provider_a)
    message = "no client secret that could be given to the proxy"
    assert message in client.get(reverse("members:service-detail", args=[service.pk])).content.decode()
    client.post(reverse("members:service-secret-rotate", args=[service.pk]), {"overlap_days": "0"})
    assert message not in client.get(reverse("members:service-detail", args=[service.pk])).content.decode()


def test_the_hourly_task_prunes_expired_previous_secrets(provider_a, tech_provider_a, make_oidc_service, settings):
    from members.tasks import previous_client_secrets_prune

    service = make_oidc_service(provider_a)
    services.oidc_secret_rotate(service=service, by=tech_provider_a, overlap_days=1)
    assert previous_client_secrets_prune() == 0
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1, minutes=1)):
        assert previous_client_secrets_prune() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["members-previous-client-secrets-prune"]
    assert schedule["task"] == "members.tasks.previous_client_secrets_prune"
