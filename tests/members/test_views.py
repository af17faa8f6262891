"""Every register page: who may see it, who may not, and lists at a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from members import services
from members.models import LoginSource, School, Service, ServiceVersion, VersionStatus
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.certs import good_certificate, sp_metadata
from tests.querycount import assert_queries_pinned


@pytest.fixture
def world(org_a, org_b, admin_a, provider_b, tech_provider_b, make_saml_service, make_oidc_service):
    """Org B (a provider) with a school, a login source, a live SAML and a pending OIDC service."""
    school = School.objects.create(organisation=org_b, code="54321", name="B-koulu", school_type="basic")
    source = LoginSource.objects.create(organisation=org_b, kind="wilma", name="Wilma", hostnames=["b.inschool.fi"])
    saml_source = LoginSource.objects.create(
        organisation=org_b,
        kind="saml",
        name="SAML IdP",
        entity_id="https://idp.b.fi/saml",
        metadata_url="https://idp.b.fi/metadata",
    )
    org_b.is_service_provider = True
    org_b.save()
    saml = make_saml_service(org_b)
    oidc = make_oidc_service(org_b, approve=False)
    return {"school": school, "source": source, "saml_source": saml_source, "saml": saml, "oidc": oidc}


def _org_b_urls(world, org_b):
    pending = ServiceVersion.objects.get(service=world["oidc"], status=VersionStatus.PENDING)
    return [
        ("get", reverse("members:organisation-detail", args=[org_b.pk])),
        ("get", reverse("members:organisation-edit", args=[org_b.pk])),
        ("get", reverse("members:school-create", args=[org_b.pk])),
        ("get", reverse("members:school-edit", args=[org_b.pk, world["school"].pk])),
        ("post", reverse("members:school-delete", args=[org_b.pk, world["school"].pk])),
        ("get", reverse("members:school-import", args=[org_b.pk])),
        ("get", reverse("members:login-source-create", args=[org_b.pk])),
        ("get", reverse("members:login-source-edit", args=[org_b.pk, world["source"].pk])),
        ("post", reverse("members:login-source-delete", args=[org_b.pk, world["source"].pk])),
        ("get", reverse("members:allowed-services", args=[org_b.pk])),
        ("get", reverse("members:service-create", args=[org_b.pk, "saml"])),
        ("get", reverse("members:service-detail", args=[world["saml"].pk])),
        ("get", reverse("members:service-edit", args=[world["saml"].pk])),
        ("post", reverse("members:service-secret-rotate", args=[world["oidc"].pk])),
        ("post", reverse("members:version-approve", args=[pending.pk])),
        ("post", reverse("members:version-reject", args=[pending.pk])),
        ("post", reverse("members:login-source-metadata-check", args=[org_b.pk, world["saml_source"].pk])),
        # The edit views' POSTs, not only their forms.
        ("post", reverse("members:organisation-edit", args=[org_b.pk])),
        ("post", reverse("members:school-create", args=[org_b.pk])),
        ("post", reverse("members:school-edit", args=[org_b.pk, world["school"].pk])),
        ("post", reverse("members:school-import", args=[org_b.pk])),
        ("post", reverse("members:login-source-create", args=[org_b.pk])),
        ("post", reverse("members:login-source-edit", args=[org_b.pk, world["source"].pk])),
        ("post", reverse("members:allowed-services", args=[org_b.pk])),
        ("post", reverse("members:service-create", args=[org_b.pk, "saml"])),
        ("post", reverse("members:service-edit", args=[world["saml"].pk])),
    ]


def test_a_member_of_org_a_can_neither_read_nor_change_org_b(world, org_b, admin_a, as_user):
    client = as_user(admin_a)
    before = (School.objects.count(), LoginSource.objects.count(), ServiceVersion.objects.count())
    secret = Service.objects.get(pk=world["oidc"].pk).client_secret_encrypted
    for method, url in _org_b_urls(world, org_b):
        response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
        assert response.status_code in (403, 404), (url, response.status_code)
    assert (School.objects.count(), LoginSource.objects.count(), ServiceVersion.objects.count()) == before
    assert Service.objects.get(pk=world["oidc"].pk).client_secret_encrypted == secret


def test_lists_show_a_member_only_their_own(world, org_a, org_b, admin_a, as_user):
    client = as_user(admin_a)
    organisations = client.get(reverse("members:organisation-list")).content.decode()
    assert "Municipality A" in organisations and "Municipality B" not in organisations
    services_page = client.get(reverse("members:service-list")).content.decode()
    assert world["saml"].entity_id not in services_page


def test_anonymous_users_are_sent_to_log_in(world, org_b, client):
    for method, url in _org_b_urls(world, org_b):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_staff_without_mfa_are_sent_to_enrol(world, org_b, operator_without_mfa, as_user):
    client = as_user(operator_without_mfa)
    for method, url in [
        *_org_b_urls(world, org_b),
        ("get", reverse("members:review-queue")),
        ("get", reverse("members:organisation-list")),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "totp" in response["Location"], url


def test_member_users_cannot_use_staff_pages(admin_a, as_user):
    client = as_user(admin_a)
    for url in [
        reverse("members:review-queue"),
        reverse("members:review-policy"),
        reverse("members:organisation-create"),
    ]:
        assert client.get(url).status_code == 403


def test_the_provider_and_staff_see_their_pages(world, org_b, operator, as_user):
    from tests.factories import OrganisationRoleFactory

    tech_b = OrganisationRoleFactory(organisation=org_b, role="technical").user
    for user in (tech_b, operator):
        client = as_user(user)
        for method, url in _org_b_urls(world, org_b):
            if method == "get" and "organisation-edit" not in url and "/edit/" not in url:
                assert client.get(url).status_code == 200, url
    assert as_user(operator).get(reverse("members:organisation-edit", args=[org_b.pk])).status_code == 200
    # The metadata check refused to org A's admin above is there for org B's technical contact.
    check = reverse("members:login-source-metadata-check", args=[org_b.pk, world["saml_source"].pk])
    assert as_user(tech_b).post(check).status_code == 302
    # A technical contact does not edit the organisation's own data; its admin does.
    assert as_user(tech_b).get(reverse("members:organisation-edit", args=[org_b.pk])).status_code == 404


def test_a_member_registers_a_saml_service_by_uploading_metadata(provider_a, tech_provider_a, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(tech_provider_a)
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {
            "environment": "production",
            "metadata_file": SimpleUploadedFile("sp.xml", sp_metadata(), content_type="text/xml"),
            "want_assertions_signed": "on",
            "attr_uid": "on",
            "purpose_uid": "Kirjautuminen",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get()
    assert service.entity_id == "https://sp.example.fi/saml" and service.live_version is None
    assert service.versions.get().name_fi == "Oppimateriaali"


def test_a_metadata_upload_with_a_doctype_is_refused_and_nothing_stored(provider_a, tech_provider_a, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.members.test_metadata import XXE

    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "metadata_file": SimpleUploadedFile("sp.xml", XXE)},
    )
    assert response.status_code == 200
    assert "DOCTYPE" in response.content.decode()
    assert not Service.objects.exists()


def test_a_saml_service_by_form_and_an_oidc_secret_shown_once(provider_a, tech_provider_a, as_user):
    client = as_user(tech_provider_a)
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {
            "environment": "test",
            "entity_id": "https://form.example.fi/sp",
            "name_fi": "Lomakepalvelu",
            "acs_text": "https://form.example.fi/acs",
            "signing_certificates": good_certificate(),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {
            "environment": "test",
            "name_fi": "OIDC-palvelu",
            "redirect_uris_text": "https://app.example.fi/cb",
            "auth_method": "client_secret_basic",
            "pkce_required": "on",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(protocol="oidc")
    secret = services.oidc_client_secret(service)
    first = client.get(response["Location"]).content.decode()
    assert secret in first
    assert secret not in client.get(response["Location"]).content.decode()


def test_staff_approve_and_reject_from_the_service_page(world, operator, as_user):
    client = as_user(operator)
    pending = ServiceVersion.objects.get(service=world["oidc"], status=VersionStatus.PENDING)
    client.post(reverse("members:version-reject", args=[pending.pk]), {"reason": ""})
    pending.refresh_from_db()
    assert pending.status == VersionStatus.PENDING  # no reason, no rejection
    client.post(reverse("members:version-reject", args=[pending.pk]), {"reason": "Redirect URI is not yours"})
    pending.refresh_from_db()
    assert pending.status == VersionStatus.REJECTED
    page = client.get(reverse("members:service-detail", args=[world["oidc"].pk])).content.decode()
    assert "Redirect URI is not yours" in page


def test_school_csv_import_previews_then_saves(org_a, admin_a, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(admin_a)
    url = reverse("members:school-import", args=[org_a.pk])
    csv_bytes = b"12345,Mattilan koulu,basic\n1234,Huono,basic\n"
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", csv_bytes)})
    assert "five digits" in response.content.decode() and not School.objects.exists()
    response = client.post(url, {"text": "12345,Mattilan koulu,basic\n", "confirm": "1"})
    assert response.status_code == 302 and School.objects.get().name == "Mattilan koulu"


def _provider_in_force(organisation):
    return MembershipFactory(organisation=organisation, role="service_provider")


def test_public_register_lists_production_services_and_their_attributes(world, org_b, client):
    _provider_in_force(org_b)
    page = client.get(reverse("portal:public-register")).content.decode()
    assert "Learning materials" in page and "Käyttäjän tunnistaminen" in page
    assert "Koulupilvi" not in page  # pending


def test_public_register_lists_only_services_whose_provider_is_in_force(client, make_saml_service):
    """The page claims to show what the proxy releases today: nothing of an ended or unsigned member."""
    in_force = make_saml_service(ServiceProviderOrganisationFactory(name_fi="Voimassa Oy"), name_en="In force")
    ended_provider = ServiceProviderOrganisationFactory(name_fi="Päättynyt Oy")
    MembershipFactory(organisation=ended_provider, role="service_provider", ends_on=datetime.date(2021, 1, 1))
    ended = make_saml_service(ended_provider, name_en="Ended")
    unsigned_provider = ServiceProviderOrganisationFactory(name_fi="Allekirjoittamaton Oy")
    MembershipFactory(organisation=unsigned_provider, role="service_provider", in_force_from=None)
    unsigned = make_saml_service(unsigned_provider, name_en="Never countersigned")
    # A home-organisation membership does not make the organisation's services public.
    home_only = ServiceProviderOrganisationFactory(name_fi="Vain kotiorganisaatio")
    MembershipFactory(organisation=home_only, role="home_organisation")
    home_service = make_saml_service(home_only, name_en="Home only")
    _provider_in_force(in_force.provider)
    page = client.get(reverse("portal:public-register")).content.decode()
    assert f'id="service-{in_force.pk}"' in page
    for hidden in (ended, unsigned, home_service):
        assert f'id="service-{hidden.pk}"' not in page


@pytest.mark.parametrize(
    "language, labels",
    [
        ("fi", ("Oppimateriaalien maksullisuus", "Koulutuksen järjestäjän tunniste", "Sukunimi")),
        ("sv", ("Avgift för läromedel", "Utbildningsanordnarens identifierare", "Efternamn")),
        ("en", ("Learning materials charge", "Education provider identifier", "Surname")),
    ],
)
def test_public_register_lists_the_new_attributes_with_labels_names_and_purposes(
    client, make_saml_service, language, labels
):
    service = make_saml_service(
        ServiceProviderOrganisationFactory(),
        requested_attributes=[
            {"key": "learningMaterialsCharge", "purpose": "Maksuttomat oppimateriaalit"},
            {"key": "educationProviderId", "purpose": "Laskutus koulutuksen järjestäjältä"},
            {"key": "surname", "purpose": "Nimi raporteissa"},
        ],
    )
    _provider_in_force(service.provider)
    page = client.get(reverse("portal:public-register"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    section = page.split(f'id="service-{service.pk}"')[1]
    for label in labels:
        assert f"<strong>{label}</strong>" in section
    for purpose in ("Maksuttomat oppimateriaalit", "Laskutus koulutuksen järjestäjältä", "Nimi raporteissa"):
        assert purpose in section
    # What the service will receive, under the names its SAML or OIDC library reads.
    assert "<code>learningMaterialsCharge</code> <code>urn:mpass.id:learningMaterialsCharge</code>" in section
    assert "<code>mpassEducationProviderOid</code>" in section
    assert "<code>sn</code> <code>urn:oid:2.5.4.4</code> <code>family_name</code>" in section
    # In the catalogue's order, whatever order they were requested in.
    assert section.index(labels[2]) < section.index(labels[1]) < section.index(labels[0])


def test_public_register_query_count_is_pinned(db, client, make_saml_service):
    def grow():
        for _ in range(5):
            _provider_in_force(make_saml_service(ServiceProviderOrganisationFactory()).provider)

    _provider_in_force(make_saml_service(ServiceProviderOrganisationFactory()).provider)
    # The providers in force, then the services with their versions and providers.
    assert_queries_pinned(client, reverse("portal:public-register"), grow=grow, expected=2)


def test_the_members_app_does_not_import_contracts():
    """DESIGN section 6: contracts depends on members, never the reverse."""
    import pathlib

    import members

    root = pathlib.Path(members.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "from contracts" not in text and "import contracts" not in text, path


def test_staff_service_list_query_count_is_pinned(operator, as_user, make_saml_service, make_oidc_service):
    def grow():
        for _ in range(5):
            provider = ServiceProviderOrganisationFactory()
            make_saml_service(provider)
            make_oidc_service(provider, approve=False)

    make_saml_service(ServiceProviderOrganisationFactory())
    client = as_user(operator)
    client.get(reverse("members:service-list"))
    assert_queries_pinned(client, reverse("members:service-list"), grow=grow, expected=8)


def test_the_expiring_filter_finds_certificates_expiring_soon(provider_a, operator, as_user, make_saml_service):
    from tests.members.certs import make_certificate

    soon = make_saml_service(provider_a, signing_certificates=[make_certificate(days=10, cn="soon.example.fi")])
    later = make_saml_service(provider_a)
    page = as_user(operator).get(reverse("members:service-list") + "?expiring=on").content.decode()
    assert soon.entity_id in page and later.entity_id not in page


def test_staff_organisation_list_query_count_is_pinned(operator, as_user, org_a):
    client = as_user(operator)
    client.get(reverse("members:organisation-list"))
    assert_queries_pinned(
        client,
        reverse("members:organisation-list"),
        grow=lambda: ServiceProviderOrganisationFactory.create_batch(5),
        expected=8,  # 8: the memberships' states (contracts' tag; no signatures to prefetch here)
    )


def test_review_queue_query_count_is_pinned(operator, as_user, make_saml_service):
    client = as_user(operator)
    client.get(reverse("members:review-queue"))
    make_saml_service(ServiceProviderOrganisationFactory(), approve=False)
    assert_queries_pinned(
        client,
        reverse("members:review-queue"),
        grow=lambda: [make_saml_service(ServiceProviderOrganisationFactory(), approve=False) for _ in range(5)],
        expected=9,  # 9: the login sources waiting for promotion (one query, issue 14)
    )


@pytest.mark.parametrize("case", range(12))
def test_every_bad_metadata_upload_is_refused_with_a_message_and_nothing_stored(
    case, provider_a, tech_provider_a, as_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.members.test_metadata import BAD_METADATA

    data, message = BAD_METADATA[case]
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "metadata_file": SimpleUploadedFile("sp.xml", data or b" ")},
    )
    assert response.status_code == 200
    assert not Service.objects.exists() and not ServiceVersion.objects.exists()
    assert message in response.content.decode()


def test_organisation_detail_query_count_is_pinned(operator, as_user, provider_a, org_a, make_saml_service):
    org_a.is_service_provider = True
    org_a.save()
    client = as_user(operator)
    url = reverse("members:organisation-detail", args=[org_a.pk])
    client.get(url)

    def grow():
        for i in range(5):
            school = School.objects.create(organisation=org_a, code=f"{70000 + i}", name="K", school_type="basic")
            source = LoginSource.objects.create(organisation=org_a, kind="wilma", name=f"W{i}", hostnames=["x.fi"])
            source.schools.add(school)
            make_saml_service(org_a)

    make_saml_service(org_a)
    # One of each row first, so every prefetch runs in both measurements.
    LoginSource.objects.create(organisation=org_a, kind="wilma", name="W", hostnames=["x.fi"]).schools.add(
        School.objects.create(organisation=org_a, code="69999", name="K", school_type="basic")
    )
    # 15: the schools' offices are one more prefetch; 16: the memberships' states (contracts' tag).
    assert_queries_pinned(client, url, grow=grow, expected=16)


def test_staff_filters_and_search_work_together(world, operator, as_user):
    client = as_user(operator)
    page = client.get(
        reverse("members:service-list") + "?q=koulupilvi&environment=production&protocol=oidc&state=pending"
    ).content.decode()
    assert world["oidc"].client_id in page and world["saml"].entity_id not in page
    page = client.get(reverse("members:service-list") + "?state=live&protocol=saml").content.decode()
    assert world["saml"].entity_id in page and world["oidc"].client_id not in page
    page = client.get(reverse("members:organisation-list") + "?q=Municipality&kind=municipality&role=home").content
    assert b"Municipality A" in page and b"Palveluntarjoaja B" not in page
    htmx = client.get(reverse("members:service-list") + "?state=pending", headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and b'id="results"' in htmx.content


def test_reviewers_see_which_fields_a_pending_change_touches(
    provider_a, tech_provider_a, operator, as_user, make_saml_service
):
    service = make_saml_service(provider_a)
    services.service_change(
        service=service, by=tech_provider_a, data={"requested_attributes": [{"key": "class", "purpose": "Luokka"}]}
    )
    page = as_user(operator).get(reverse("members:service-detail", args=[service.pk])).content.decode()
    assert (
        "Changed:" in page
        and "requested attributes" in page
        and "signing certificate" not in page.split("Changed:")[1][:200]
    )


def test_editing_only_a_name_in_the_form_goes_live_without_review(provider_a, tech_provider_a, as_user, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(tech_provider_a)
    client.post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "production", "metadata_file": SimpleUploadedFile("sp.xml", sp_metadata()),
         "want_assertions_signed": "on", "attr_uid": "on", "purpose_uid": "Kirjautuminen"},
    )  # fmt: skip
    service = Service.objects.get()
    services.service_approve(version=service.versions.get(), by=operator)
    form_page = client.get(reverse("members:service-edit", args=[service.pk]))
    form = form_page.context["form"]
    data = {name: form[name].value() for name in form.fields if name not in ("metadata_file", "metadata_url")}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["name_en"] = "Renamed"
    response = client.post(reverse("members:service-edit", args=[service.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.live_version.name_en == "Renamed" and not service.versions.filter(status="pending").exists()


def _sessions_text() -> str:
    from django.contrib.sessions.models import Session

    return " ".join(f"{s.session_data} {s.get_decoded()}" for s in Session.objects.all())


def test_a_new_client_secret_is_never_stored_plain_in_the_session(provider_a, tech_provider_a, as_user):
    from members.views import SECRET_SESSION_KEY

    client = as_user(tech_provider_a)
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {
            "environment": "test",
            "name_fi": "OIDC-palvelu",
            "redirect_uris_text": "https://app.example.fi/cb",
            "auth_method": "client_secret_basic",
            "pkce_required": "on",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(protocol="oidc")
    secret = services.oidc_client_secret(service)
    assert SECRET_SESSION_KEY in client.session and secret not in _sessions_text()
    assert secret in client.get(response["Location"]).content.decode()
    assert SECRET_SESSION_KEY not in client.session

    client.post(reverse("members:service-secret-rotate", args=[service.pk]))
    rotated = services.oidc_client_secret(Service.objects.get(pk=service.pk))
    assert rotated != secret and rotated not in _sessions_text()
    assert rotated in client.get(reverse("members:service-detail", args=[service.pk])).content.decode()
    assert SECRET_SESSION_KEY not in client.session


def _organisation_edit_data(client, organisation) -> dict:
    """The edit form's current values, as the browser would post them back."""
    page = client.get(reverse("members:organisation-edit", args=[organisation.pk]))
    data = {}
    for form in [page.context["form"], *(f for _k, _l, f in page.context["contacts"])]:
        for field in form:
            value = field.value()
            if value is None:
                continue
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def test_clearing_a_contacts_name_and_email_removes_it(org_a, admin_a, as_user, django_capture_on_commit_callbacks):
    from audit.models import Entry
    from members.models import Contact
    from members.signals import register_changed

    Contact.objects.create(organisation=org_a, kind="support", name="Tuki", email="tuki@a.fi")
    client = as_user(admin_a)
    data = _organisation_edit_data(client, org_a)
    assert data["support-name"] == "Tuki"

    # An email without a name is refused, not silently ignored.
    response = client.post(reverse("members:organisation-edit", args=[org_a.pk]), {**data, "support-name": ""})
    assert response.status_code == 200 and "A contact needs a name" in response.content.decode()
    assert Contact.objects.filter(organisation=org_a, kind="support").exists()

    received = []

    def listener(sender, environment, reason, **kwargs):
        received.append(reason)

    register_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("members:organisation-edit", args=[org_a.pk]),
                {**data, "support-name": "", "support-email": "", "support-phone": ""},
            )
    finally:
        register_changed.disconnect(listener)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Contact.objects.filter(organisation=org_a, kind="support").exists()
    assert Entry.objects.filter(action="contact.delete").count() == 1
    assert "contact removed" in received


def test_allowed_services_offers_production_services_not_other_providers_test_services(
    org_a, admin_a, provider_b, as_user, make_saml_service
):
    production = make_saml_service(provider_b, name_fi="Tuotantopalvelu")
    hidden_test = make_saml_service(provider_b, environment="test", name_fi="Salainen testipalvelu")
    allowed_test = make_saml_service(provider_b, environment="test", name_fi="Sallittu testipalvelu")
    services.allowed_services_set(organisation=org_a, by=admin_a, services=[allowed_test])
    url = reverse("members:allowed-services", args=[org_a.pk])
    client = as_user(admin_a)
    page = client.get(url)
    offered = set(page.context["form"].fields["services"].queryset)
    assert offered == {production, allowed_test}
    content = page.content.decode()
    assert f'value="{production.pk}"' in content and f'value="{allowed_test.pk}"' in content
    assert f'value="{hidden_test.pk}"' not in content
    # Nor can it be chosen by posting its id.
    response = client.post(url, {"services": [production.pk, hidden_test.pk]})
    assert response.status_code == 200
    assert list(org_a.allowed_services.all()) == [allowed_test]
    assert client.post(url, {"services": [production.pk, allowed_test.pk]}).status_code == 302
    assert set(org_a.allowed_services.all()) == {production, allowed_test}
