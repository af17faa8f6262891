"""Each kind of login source with its own fields (issue 14 item 2): Wilma's hostnames (several
allowed), Opinsys' one organisation name, Entra ID's tenant ID, and an OIDC IdP's discovery
document fetched and checked like SAML metadata (a document that does not parse or names another
issuer is recorded as a problem, and the source stays out of production).

DNS and the remote server are replaced as in test_metadata_fetch.py; parsing and checks are real."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members import services
from members.models import LoginSource, School
from tests.factories import MembershipFactory
from tests.members.test_metadata_fetch import _fake_dns, _fake_server, _Response

pytestmark = pytest.mark.django_db

ISSUER = "https://login.kunta.fi/oidc"


@pytest.fixture
def school(org_a):
    return School.objects.create(organisation=org_a, code="01234", name="Mattilan koulu", school_type="basic")


def _save(org_a, by, school, **data) -> LoginSource:
    return services.login_source_save(organisation=org_a, by=by, schools=[school], data={"name": "Lähde", **data})


def _refused(org_a, by, school, **data) -> dict[str, list[str]]:
    before = LoginSource.objects.count()
    with pytest.raises(ValidationError) as refused:
        _save(org_a, by, school, **data)
    assert LoginSource.objects.count() == before, "nothing is stored"
    return refused.value.message_dict


# ---------------------------------------------------------------- Wilma, Opinsys, Entra ID


def test_a_wilma_source_keeps_several_hostnames_once_each(org_a, admin_a, school):
    source = _save(
        org_a, admin_a, school, kind="wilma",
        hostnames="Kunta.inschool.fi\nkunta-lukio.inschool.fi.\nkunta.inschool.fi\n",
    )  # fmt: skip
    assert source.hostnames == ["kunta.inschool.fi", "kunta-lukio.inschool.fi"]
    assert source.hostname == "kunta.inschool.fi"


@pytest.mark.parametrize(
    "bad", ["https://kunta.inschool.fi", "kunta.inschool.fi/wilma", "kunta inschool.fi", "-kunta.fi", "kunta..fi"]
)
def test_a_wilma_hostname_that_is_not_a_hostname_is_refused_naming_it(org_a, admin_a, school, bad):
    errors = _refused(org_a, admin_a, school, kind="wilma", hostnames=["kunta.inschool.fi", bad])
    assert list(errors) == ["hostnames"]
    assert "is not a hostname" in errors["hostnames"][0]


def test_a_wilma_source_needs_a_hostname(org_a, admin_a, school):
    assert list(_refused(org_a, admin_a, school, kind="wilma", hostnames=[])) == ["hostnames"]


def test_an_opinsys_source_has_one_organisation_name(org_a, admin_a, school):
    assert _save(org_a, admin_a, school, kind="opinsys", hostnames=["kunta"]).hostnames == ["kunta"]
    assert (
        "one Opinsys organisation name"
        in _refused(org_a, admin_a, school, kind="opinsys", hostnames=["kunta", "toinen"])["hostnames"][0]
    )
    assert (
        "not an Opinsys organisation name"
        in _refused(org_a, admin_a, school, kind="opinsys", hostnames=["kunta.opinsys.fi/x"])["hostnames"][0]
    )


def test_an_entra_source_needs_a_tenant_id_that_is_a_guid(org_a, admin_a, school):
    metadata_url = "https://login.microsoftonline.example/x/federationmetadata/2007-06/federationmetadata.xml"
    errors = _refused(
        org_a, admin_a, school, kind="entra", tenant_id="kunta.onmicrosoft.com", metadata_url=metadata_url
    )
    assert list(errors) == ["tenant_id"] and "GUID" in errors["tenant_id"][0]
    source = _save(
        org_a,
        admin_a,
        school,
        kind="entra",
        tenant_id="3feb6bc1-d722-4726-966c-5b58b64df752",
        metadata_url=metadata_url,
    )
    assert source.expected_entity_id == "https://sts.windows.net/3feb6bc1-d722-4726-966c-5b58b64df752/"


def test_another_kinds_fields_are_not_stored(org_a, admin_a, school):
    source = _save(
        org_a, admin_a, school, kind="wilma", hostnames=["kunta.inschool.fi"],
        entity_id="https://idp.kunta.fi", tenant_id="3feb6bc1-d722-4726-966c-5b58b64df752", issuer=ISSUER,
    )  # fmt: skip
    assert (source.entity_id, source.tenant_id, source.issuer) == ("", "", "")


# ---------------------------------------------------------------- an OIDC IdP's discovery document


def _discovery(**overrides) -> bytes:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
        "userinfo_endpoint": f"{ISSUER}/userinfo",
        "response_types_supported": ["code", "id_token"],
        **overrides,
    }
    return json.dumps(document).encode()


@pytest.fixture
def oidc(org_a, admin_a, school, monkeypatch):
    """serve(body) → the OIDC source checked against a server answering `body`."""
    source = _save(org_a, admin_a, school, kind="oidc", issuer=ISSUER)
    LoginSource.objects.filter(pk=source.pk).update(display_name_fi="Kunnan kirjautuminen")

    def serve(body: bytes) -> LoginSource:
        _fake_dns(monkeypatch, {"login.kunta.fi": "193.166.0.1"})
        _fake_server(monkeypatch, [_Response(200, body=body)], [])
        return services.login_source_metadata_check(login_source=source)

    return serve


def test_a_good_discovery_document_passes_the_check(oidc):
    checked = oidc(_discovery())
    assert checked.metadata_ok is True and checked.metadata_error == "" and checked.metadata_checked_at


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>Not found</html>", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (_discovery(issuer="https://evil.example/oidc"), "names the issuer https://evil.example/oidc"),
        (_discovery(token_endpoint=""), "has no token_endpoint"),
        (_discovery(jwks_uri="http://login.kunta.fi/jwks"), "jwks_uri"),
        (_discovery(response_types_supported=["id_token"]), "authorization code flow"),
    ],
)
def test_a_bad_discovery_document_is_recorded_and_keeps_the_source_out_of_production(
    oidc, org_a, admin_a, body, problem
):
    MembershipFactory(organisation=org_a, role="home_organisation")
    checked = oidc(body)
    assert checked.metadata_ok is False and problem in checked.metadata_error
    with pytest.raises(ValidationError) as refused:
        services.login_source_promote(login_source=checked, by=admin_a)
    assert list(refused.value.message_dict) == ["issuer"]
    assert not LoginSource.objects.filter(promoted_from=checked).exists()
    # Corrected at the provider and checked again, it may go.
    assert oidc(_discovery()).metadata_ok is True
    copy = services.login_source_promote(login_source=checked, by=admin_a)
    assert copy.environment == "production" and copy.approved_at is None
    assert copy.promoted_from_id == checked.pk and timezone.now() >= copy.created_at
