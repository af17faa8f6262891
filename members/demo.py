"""Demo organisations: real municipalities (names, codes, business IDs) and fictional companies."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.demo import demo_user
from members import services
from members.models import (
    Contact,
    LoginSource,
    MunicipalityCode,
    Office,
    Organisation,
    OrganisationKind,
    OrganisationRole,
    Role,
    School,
    Service,
    ServiceVersion,
    VersionStatus,
)

# (business ID, fi, sv, en, kind, home organisation, service provider, street, postcode, city)
DEMO_ORGANISATIONS = [
    (
        "0201256-6",
        "Helsingin kaupunki",
        "Helsingfors stad",
        "City of Helsinki",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Pohjoisesplanadi 11–13",
        "00170",
        "Helsinki",
    ),
    (
        "0101263-6",
        "Espoon kaupunki",
        "Esbo stad",
        "City of Espoo",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Espoonkatu 5",
        "02770",
        "Espoo",
    ),
    (
        "0124610-9",
        "Vantaan kaupunki",
        "Vanda stad",
        "City of Vantaa",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Asematie 7",
        "01300",
        "Vantaa",
    ),
    (
        "0211675-2",
        "Tampereen kaupunki",
        "Tammerfors stad",
        "City of Tampere",
        OrganisationKind.MUNICIPALITY,
        True,
        True,
        "Aleksis Kiven katu 14–16 C",
        "33210",
        "Tampere",
    ),
    (
        "1061512-1",
        "Porvoon kaupunki",
        "Borgå stad",
        "City of Porvoo",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Raatihuoneenkatu 5",
        "06100",
        "Porvoo",
    ),
    (
        "0187690-1",
        "Oulun kaupunki",
        "Uleåborgs stad",
        "City of Oulu",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Torikatu 10",
        "90100",
        "Oulu",
    ),
    (
        "3141593-8",
        "Oppimisaarre Oy",
        "Oppimisaarre Ab",
        "Oppimisaarre Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Tekniikantie 12",
        "02150",
        "Espoo",
    ),
    (
        "2718282-8",
        "Koulupilvi Oy",
        "Koulupilvi Ab",
        "Koulupilvi Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Hämeenkatu 9",
        "33100",
        "Tampere",
    ),
    (
        "1618033-3",
        "Lukulaari Oy",
        "Lukulaari Ab",
        "Lukulaari Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Kauppurienkatu 8",
        "90100",
        "Oulu",
    ),
    # A provider on the register that has not signed the agreement (it has no signatory yet): it
    # builds and tries its service in the test environment meanwhile (DESIGN section 2, lifecycle).
    (
        "1414214-9",
        "Aapiskukko Oy",
        "Aapiskukko Ab",
        "Aapiskukko Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Kauppakatu 3",
        "40100",
        "Jyväskylä",
    ),
]
# Organisations whose people do not include a signatory yet, so no agreement is signed for them.
WITHOUT_AGREEMENT = {"1414214-9"}


# Service providers' own websites: md:OrganizationURL of their services (issue 13). One provider
# has none, so the demo also shows metadata without md:Organization rather than a borrowed address.
DEMO_WEBSITES = {
    "3141593-8": "https://www.oppimisaarre.example/",
    "2718282-8": "https://www.koulupilvi.example/",
    "1618033-3": "https://www.lukulaari.example/",
}


def load(*, report: Callable[[str], None]) -> None:
    for row in DEMO_ORGANISATIONS:
        business_id, fi, sv, en, kind, is_home, is_sp, street, postcode, city = row
        Organisation.objects.update_or_create(
            business_id=business_id,
            defaults={
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "kind": kind,
                "is_home_organisation": is_home,
                "is_service_provider": is_sp,
                "street_address": street,
                "postal_code": postcode,
                "city": city,
                "website_url": DEMO_WEBSITES.get(business_id, ""),
            },
        )
    report(f"Organisations: {Organisation.objects.count()}")
    _load_people(report=report)
    _load_home_organisations()
    _load_services()
    report(
        f"Schools: {School.objects.count()} (offices: {Office.objects.count()}), login sources: {LoginSource.objects.count()}, "
        f"services: {Service.objects.count()} ({Service.objects.filter(live_version__isnull=False).count()} live)"
    )


def demo_slug(organisation: Organisation) -> str:
    """ "City of Helsinki" → "helsinki", "Koulupilvi Ltd" → "koulupilvi": the demo email domain."""
    return organisation.name_en.removeprefix("City of ").split()[0].lower()


def _load_people(*, report: Callable[[str], None]) -> None:
    """Each organisation's admin, signatory and technical contact."""
    for organisation in Organisation.objects.order_by("name_fi"):
        slug = demo_slug(organisation)
        people = [
            (f"admin@{slug}.example", Role.ADMIN, "Anna Ylläpitäjä"),
            (f"signatory@{slug}.example", Role.SIGNATORY, "Sami Allekirjoittaja"),
            (f"tech@{slug}.example", Role.TECHNICAL, "Tiina Tekninen"),
        ]
        if organisation.business_id in WITHOUT_AGREEMENT:
            people = [person for person in people if person[1] != Role.SIGNATORY]
        for email, role, name in people:
            user = demo_user(email, f"{name} ({organisation.name_fi})", language="sv" if slug == "porvoo" else "fi")
            OrganisationRole.objects.get_or_create(user=user, organisation=organisation, role=role)
        report(f"{organisation.name_fi}: {', '.join(email for email, _role, _name in people)}")


# The fictional OID of the one demo organisation linked to the organisation register fixture.
DEMO_REGISTER_OID = "1.2.246.562.10.20000000001"
# business ID → municipality codes, contacts' domain, schools, login sources
HOME_ORGANISATIONS = {
    "0201256-6": {
        "codes": ["091"],
        "schools": [
            ("00016", "Arabian peruskoulu", "basic"),
            ("00084", "Kallion lukio", "upper_secondary"),
            ("03187", "Meilahden ala-asteen koulu", "basic"),
        ],
        "sources": [
            {"kind": "entra", "name": "Helsingin kaupungin Entra ID", "tenant_id": "3feb6bc1-d722-4726-966c-5b58b64df752",
             "metadata_url": "https://login.microsoftonline.example/3feb6bc1-d722-4726-966c-5b58b64df752/federationmetadata/2007-06/federationmetadata.xml"},
        ],
    },
    "0101263-6": {
        "codes": ["049"],
        "schools": [
            ("03405", "Mattlidens skola", "basic"),
            ("03411", "Olarin koulu", "basic"),
            ("03423", "Tapiolan koulu", "basic"),
            ("00571", "Espoonlahden lukio", "upper_secondary"),
        ],
        "sources": [
            {"kind": "wilma", "name": "Espoon Wilma", "hostnames": ["espoo.inschool.fi"]},
            {"kind": "google", "name": "Espoon Google Workspace", "entity_id": "https://accounts.google.com/o/saml2?idpid=C03espoo",
             "metadata_url": "https://edu.espoo.example/saml/google-metadata.xml"},
        ],
    },
    "0124610-9": {
        "codes": ["092"],
        "schools": [
            ("03608", "Hakunilan koulu", "basic"),
            ("03622", "Tikkurilan koulu", "basic"),
            ("00633", "Tikkurilan lukio", "upper_secondary"),
        ],
        "sources": [{"kind": "wilma", "name": "Vantaan Wilma", "hostnames": ["vantaa.inschool.fi"]}],
    },
    "0211675-2": {
        "codes": ["837"],
        "schools": [("03798", "Hervannan koulu", "basic"), ("00915", "Tampereen lyseon lukio", "upper_secondary")],
        "sources": [
            {"kind": "adfs", "name": "Tampereen ADFS", "entity_id": "http://adfs.tampere.fi/adfs/services/trust",
             "metadata_url": "https://adfs.tampere.example/FederationMetadata/2007-06/FederationMetadata.xml"},
        ],
    },
    "1061512-1": {
        "codes": ["638"],
        # Linked to the demo organisation register (members/demo_register/): its page offers a
        # preview of what the register would change (a renamed school, a new one, an office).
        "oid": DEMO_REGISTER_OID,
        "schools": [("03950", "Kvarnbackens skola", "basic"), ("03952", "Näsin koulu", "basic")],
        "sources": [{"kind": "wilma", "name": "Borgå Wilma", "hostnames": ["porvoo.inschool.fi"]}],
    },
    "0187690-1": {
        "codes": ["564"],
        "schools": [("04012", "Kastellin monitoimitalon koulu", "basic"), ("00780", "Oulun Lyseon lukio", "upper_secondary")],
        "sources": [{"kind": "oidc", "name": "Oulun OIDC", "issuer": "https://login.ouka.fi/oidc"}],
    },
}  # fmt: skip


# Offices (toimipiste) of some demo schools, by school code: a school on two sites.
DEMO_OFFICES = {
    "00016": ("Arabian peruskoulu, Kaanaantie", "Arabian peruskoulu, Intiankatu"),
    "00571": ("Espoonlahden lukio, Kivenlahti",),
}


def demo_oid(school_code: str, *, office: int = 0) -> str:
    """A real-looking organisation-register OID (1.2.246.562.10.<11 digits>), the same every run.

    The last arc never starts with 0 (an OID arc has no leading zero)."""
    seed = int(school_code) * 1000 + office
    return f"1.2.246.562.10.{10**10 + (seed * 2654435761) % (9 * 10**10)}"


def _load_home_organisations() -> None:
    for business_id, spec in HOME_ORGANISATIONS.items():
        organisation = Organisation.objects.get(business_id=business_id)
        for code in spec["codes"]:
            MunicipalityCode.objects.get_or_create(organisation=organisation, code=code)
        if spec.get("oid") and not organisation.oid:
            Organisation.objects.filter(pk=organisation.pk).update(oid=spec["oid"])
        slug = organisation.name_en.removeprefix("City of ").lower()
        for kind, name in (("technical", "Tekninen tuki"), ("security", "Tietoturva"), ("support", "Palvelupiste")):
            Contact.objects.get_or_create(
                organisation=organisation, kind=kind, defaults={"name": name, "email": f"{kind}@{slug}.example"}
            )
        schools = []
        for code, name, school_type in spec["schools"]:
            school, _ = School.objects.get_or_create(
                code=code,
                defaults={
                    "organisation": organisation, "name": name, "school_type": school_type, "oid": demo_oid(code),
                },
            )  # fmt: skip
            if not school.oid:  # a database loaded before schools had OIDs
                School.objects.filter(pk=school.pk).update(oid=demo_oid(code))
            for number, office_name in enumerate(DEMO_OFFICES.get(code, ()), start=1):
                Office.objects.get_or_create(
                    oid=demo_oid(code, office=number), defaults={"school": school, "name": office_name}
                )
            schools.append(school)
        for source in spec["sources"]:
            # The demo's sources are in production unless their spec says test (issue 14).
            # Approved (staff let them into production long ago), so the proxy uses them.
            login_source, created = LoginSource.objects.get_or_create(
                organisation=organisation, name=source["name"],
                defaults={"environment": "production", "approved_at": timezone.now(), **source},
            )  # fmt: skip
            if created:
                login_source.flow_name = services.flow_name_for(organisation, login_source)
                login_source.save(update_fields=["flow_name"])
                login_source.schools.set(schools)
                _demo_metadata_check(login_source)


def _demo_metadata_check(login_source: LoginSource) -> None:
    """A plausible last metadata check, so the demo shows both outcomes without fetching anything
    (the demo's URLs are real organisations'; the demo never calls them)."""
    now = timezone.now()
    if login_source.kind == "entra":
        login_source.metadata_checked_at, login_source.metadata_ok = now - datetime.timedelta(hours=5), True
        login_source.metadata_certificate_expires_at = now + datetime.timedelta(days=41)
    elif login_source.kind == "google":
        login_source.metadata_checked_at, login_source.metadata_ok = now - datetime.timedelta(hours=5), False
        login_source.metadata_error = (
            "Metadata ei kuvaa entityID:tä https://accounts.google.com/o/saml2?idpid=C03espoo "
            "(se kuvaa: https://accounts.google.com/o/saml2?idpid=C01old)."
        )
    else:
        return
    login_source.save(update_fields=["metadata_checked_at", "metadata_ok", "metadata_error",
                                     "metadata_certificate_expires_at"])  # fmt: skip


@cache
def _certificate(common_name: str) -> str:
    """A self-signed 2048-bit certificate for demo services (made at load time; never a real key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=730)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


LEARNING = [
    {"key": "uid", "purpose": "Käyttäjän tunnistaminen ja oman oppimateriaalin tallentaminen"},
    {"key": "schoolCode", "purpose": "Koulun lisenssien tarkistaminen"},
    {"key": "classLevel", "purpose": "Luokka-asteelle sopivan materiaalin näyttäminen"},
    {"key": "role", "purpose": "Opettajan ja oppilaan näkymien erottaminen"},
    # Data model 1.3: upper secondary students' free learning materials are billed to their provider.
    {"key": "educationProviderId", "purpose": "Maksuttomien oppimateriaalien laskuttaminen koulutuksen järjestäjältä"},
    {"key": "learningMaterialsCharge", "purpose": "Sen tarkistaminen, saako lukiolainen oppimateriaalit maksutta"},
]


def _saml(host: str, **extra) -> dict:
    return {
        "acs_endpoints": [{"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                           "location": f"https://{host}/saml/acs", "index": 0, "is_default": True}],
        "signing_certificates": [_certificate(host)],
        "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        "want_assertions_signed": True,
        **extra,
    }  # fmt: skip


# (provider business ID, environment, protocol, key (entityID or demo client_id), data, afterwards)
DEMO_SERVICES = [
    ("3141593-8", "production", "saml", "https://oppi.oppimisaarre.example/saml", {
        **_saml("oppi.oppimisaarre.example"),
        "name_fi": "Oppimisaarre – digitaaliset oppimateriaalit", "name_sv": "Oppimisaarre – digitala läromedel",
        "name_en": "Oppimisaarre digital learning materials",
        "description_fi": "Peruskoulun ja lukion digitaaliset oppikirjat ja tehtävät.",
        "privacy_url": "https://oppimisaarre.example/tietosuoja", "information_url": "https://oppimisaarre.example",
        "requested_attributes": LEARNING,
    }, "approve"),
    ("3141593-8", "test", "saml", "https://test.oppimisaarre.example/saml", {
        **_saml("test.oppimisaarre.example"),
        "name_fi": "Oppimisaarre (testi)", "requested_attributes": LEARNING,
    }, "approve_then_pending_change"),
    ("2718282-8", "production", "oidc", "demo-koulupilvi-production", {
        "name_fi": "Koulupilvi", "name_sv": "Skolmolnet", "name_en": "School cloud",
        "description_fi": "Tiedostojen jakaminen luokan kesken.",
        "privacy_url": "https://koulupilvi.example/tietosuoja",
        "redirect_uris": ["https://app.koulupilvi.example/oidc/callback"], "auth_method": "client_secret_basic",
        "requested_attributes": [
            {"key": "uid", "purpose": "Kirjautuminen"}, {"key": "givenName", "purpose": "Nimen näyttäminen luokalle"},
            {"key": "class", "purpose": "Luokan yhteisen kansion avaaminen"},
        ],
    }, "approve"),
    ("2718282-8", "test", "oidc", "demo-koulupilvi-test", {
        "name_fi": "Koulupilvi (testi)",
        "redirect_uris": ["https://test.koulupilvi.example/oidc/callback"], "auth_method": "private_key_jwt",
        "jwks_uri": "https://test.koulupilvi.example/jwks.json",
        "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}, {"key": "learnerId", "purpose": "Testaus"}],
    }, "reject"),
    # A test client with a secret, so the test environment's oidc-clients.json (encrypted to the
    # demo proxy key that proxy.demo registers) has a client and its secret to decrypt.
    ("2718282-8", "test", "oidc", "demo-koulupilvi-kehitys", {
        "name_fi": "Koulupilvi (kehitys)", "name_en": "School cloud (development)",
        "redirect_uris": ["https://dev.koulupilvi.example/oidc/callback"], "auth_method": "client_secret_post",
        "post_logout_redirect_uris": ["https://dev.koulupilvi.example/"],
        "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}],
    }, "approve"),
    # Tried in test before the agreement: a developer's machine may be the redirect URI there.
    ("1414214-9", "test", "oidc", "demo-aapiskukko-test", {
        "name_fi": "Aapiskukko – lukemaan oppiminen (testi)", "name_en": "Aapiskukko learning to read (test)",
        "redirect_uris": ["http://localhost:3000/oidc/callback", "https://test.aapiskukko.example/oidc/callback"],
        "auth_method": "client_secret_basic",
        "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"},
                                 {"key": "classLevel", "purpose": "Luokka-asteen tehtävät"}],
    }, "approve"),
    # Promoted to production once it worked in test (see load_promotions).
    ("2718282-8", "test", "saml", "https://test.tehtavapankki.koulupilvi.example/saml", {
        **_saml("test.tehtavapankki.koulupilvi.example"),
        "name_fi": "Koulupilven tehtäväpankki", "name_sv": "Skolmolnets uppgiftsbank", "name_en": "School cloud task bank",
        "privacy_url": "https://koulupilvi.example/tietosuoja",
        "requested_attributes": [{"key": "uid", "purpose": "Tehtävien tallentaminen"},
                                 {"key": "schoolCode", "purpose": "Koulun lisenssi"}],
    }, "approve"),
    ("1618033-3", "production", "saml", "https://lukulaari.example/shibboleth", {
        **_saml("lukulaari.example"),
        "name_fi": "Lukulaari – lukudiplomi", "name_sv": "Lukulaari – läsdiplom", "name_en": "Lukulaari reading diploma",
        "requested_attributes": [{"key": "uid", "purpose": "Lukudiplomin edistymisen tallentaminen"},
                                 {"key": "school", "purpose": "Koulukohtaiset lukulistat"}],
    }, "pending"),
]  # fmt: skip


def _load_services() -> None:
    for business_id, environment, protocol, key, data, afterwards in DEMO_SERVICES:
        provider = Organisation.objects.get(business_id=business_id)
        if (
            Service.objects.filter(environment=environment).filter(entity_id=key).exists()
            or Service.objects.filter(client_id=key).exists()
        ):
            continue
        created = services.service_create(
            provider=provider, by=None, environment=environment, protocol=protocol, data=data,
            entity_id=key if protocol == "saml" else "",
        )  # fmt: skip
        if protocol == "oidc":
            Service.objects.filter(pk=created.service.pk).update(client_id=key)
        version = ServiceVersion.objects.get(pk=created.version.pk)
        if version.status != VersionStatus.PENDING or afterwards == "pending":
            continue
        if afterwards == "reject":
            services.service_reject(
                version=version, by=None,
                reason="Testiympäristön oppijanumeron käyttötarkoitus ei riitä: kerro, miksi oppijanumeroa tarvitaan.",
            )  # fmt: skip
            continue
        services.service_approve(version=version, by=None)
        if afterwards == "approve_then_pending_change":
            services.service_change(
                service=created.service, by=None,
                data={"requested_attributes": [*LEARNING, {"key": "surname", "purpose": "Opettajan raportit"}]},
            )  # fmt: skip


# (provider business ID, test service's entityID, what production needs changed)
DEMO_PROMOTIONS = [
    ("2718282-8", "https://test.tehtavapankki.koulupilvi.example/saml", {
        "acs_endpoints": [{"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                           "location": "https://tehtavapankki.koulupilvi.example/saml/acs", "index": 0, "is_default": True}],
    }),
]  # fmt: skip


def load_promotions(*, report: Callable[[str], None]) -> None:
    """Promote a demo test service to production and approve it. Runs after the agreements are
    loaded: promotion needs the provider's membership in force."""
    for business_id, entity_id, changes in DEMO_PROMOTIONS:
        test_service = Service.objects.filter(
            provider__business_id=business_id, environment="test", entity_id=entity_id
        ).first()
        if test_service is None or Service.objects.filter(promoted_from=test_service).exists():
            continue
        created = services.service_promote(service=test_service, by=None, data=changes)
        services.service_approve(version=created.version, by=None)
        report(f"Promoted to production: {created.version.name_fi}")


# ---------------------------------------------------------------- login sources: attribute mapping (issue 14)

_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_MS_CLAIMS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
# A realistic mapping per kind of source: Entra ID and ADFS send claim URIs (a custom claim under
# Entra's default namespace), Google Workspace the SAML attribute names its admin chose, an OIDC
# provider its own claims.
DEMO_MAPPINGS: dict[str, dict[str, dict[str, str]]] = {
    "entra": {
        "learnerId": {"source": f"{_CLAIMS}employeeid"},
        "givenName": {"source": f"{_CLAIMS}givenname"},
        "surname": {"source": f"{_CLAIMS}surname"},
        "schoolCode": {"source": f"{_CLAIMS}department"},
        "class": {"source": f"{_MS_CLAIMS}groups"},
        "classLevel": {"source": f"{_CLAIMS}jobtitle"},
        "role": {"source": f"{_MS_CLAIMS}role"},
    },
    "google": {
        "learnerId": {"source": "employeeId"},
        "givenName": {"source": "firstName"},
        "surname": {"source": "lastName"},
        "schoolCode": {"source": "costCenter"},
        "class": {"source": "groups"},
        "role": {"source": "employeeType"},
    },
    "adfs": {
        "learnerId": {"source": f"{_CLAIMS}employeeid"},
        "givenName": {"source": f"{_CLAIMS}givenname"},
        "surname": {"source": f"{_CLAIMS}surname"},
        "schoolCode": {"source": f"{_CLAIMS}department"},
        "class": {"source": "http://schemas.xmlsoap.org/claims/Group"},
        "learningMaterialsCharge": {"source": "http://tampere.fi/claims/learningmaterialscharge"},
        "role": {"source": f"{_MS_CLAIMS}role"},
    },
    "oidc": {
        "learnerId": {"source": "learner_id"},
        "givenName": {"source": "given_name"},
        "surname": {"source": "family_name"},
        "nickname": {"source": "nickname"},
        "schoolCode": {"source": "school_code"},
        "class": {"source": "groups"},
        "role": {"source": "roles"},
    },
}


def load_login_source_mappings(*, report: Callable[[str], None]) -> None:
    """Give every demo source of a mapped kind a full attribute mapping (a source that serves one
    school gets its school code as a static value). Sources already mapped are left alone."""
    mapped = 0
    for source in LoginSource.objects.filter(kind__in=list(DEMO_MAPPINGS), attribute_mapping={}).prefetch_related(
        "schools"
    ):
        mapping = dict(DEMO_MAPPINGS[source.kind])
        schools = list(source.schools.all())
        if len(schools) == 1:
            mapping["schoolCode"] = {"value": schools[0].code}
        services.login_source_mapping_set(login_source=source, mapping=mapping, by=None)
        mapped += 1
    report(f"Login sources given an attribute mapping: {mapped}")


# ---------------------------------------------------------------- what the login page shows (issue 14)

# By login source name: (display name fi, sv, en), (title fi, sv, en), logo (initials, colour).
# Logos are drawn here as small SVG files (original, no trademarks: initials on a tile).
DEMO_LOGIN_PAGES = {
    "Helsingin kaupungin Entra ID": (
        ("Helsingin kaupunki", "Helsingfors stad", "City of Helsinki"),
        ("Oppilaat ja opettajat", "Elever och lärare", "Pupils and teachers"), ("HKI", "#0000bf"),
    ),
    "Espoon Wilma": (
        ("Espoon Wilma", "Esbo Wilma", "Espoo Wilma"),
        ("Perusopetuksen oppilaat ja huoltajat", "Elever och vårdnadshavare", "Pupils and guardians"), ("W", "#17676a"),
    ),
    "Espoon Google Workspace": (
        ("Espoon lukioiden Google-tunnus", "Esbo gymnasiers Google-konto", "Espoo upper secondary Google account"),
        ("Lukiolaiset", "Gymnasiestuderande", "Upper secondary students"), ("G", "#8a3c00"),
    ),
    "Vantaan Wilma": (
        ("Vantaan Wilma", "Vanda Wilma", "Vantaa Wilma"), ("Oppilaat ja huoltajat", "Elever och vårdnadshavare",
                                                         "Pupils and guardians"), ("V", "#a4141b"),
    ),
    "Tampereen ADFS": (
        ("Tampereen kaupunki", "Tammerfors stad", "City of Tampere"), ("", "", ""), ("TRE", "#1b1f24"),
    ),
    "Borgå Wilma": (
        ("Porvoon Wilma", "Borgå Wilma", "Porvoo Wilma"), ("", "", ""), ("B", "#0b6b2f"),
    ),
    "Oulun OIDC": (
        ("Oulun kaupunki", "Uleåborgs stad", "City of Oulu"), ("Oppilaat", "Elever", "Pupils"), ("OU", "#7a4b00"),
    ),
}  # fmt: skip
# One school left off a list: Espoonlahden lukio logs in with Google, so Espoo's Wilma does not list
# it, and the Google source lists only it (a school is listed under one production source).
# Tampere's ADFS does not list its upper secondary school: that school's Entra ID source is on its
# way to production (DEMO_TEST_SOURCE below).
DEMO_EXCLUDED = {
    "Espoon Wilma": ["00571"], "Espoon Google Workspace": ["03405", "03411", "03423"], "Tampereen ADFS": ["00915"],
}  # fmt: skip


def demo_logo(initials: str, colour: str) -> bytes:
    """A small original SVG logo: initials on a rounded tile (passes members/logos.py's checks)."""
    size = 26 if len(initials) < 3 else 20
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
        f'<rect width="64" height="64" rx="12" fill="{colour}"/>'
        f'<text x="32" y="{32 + size * 0.36:.0f}" font-family="Arial, Helvetica, sans-serif" font-size="{size}" '
        f'font-weight="700" fill="#ffffff" text-anchor="middle">{initials}</text></svg>'
    ).encode()


def load_login_source_login_pages(*, report: Callable[[str], None]) -> None:
    """Display names, titles and a logo for every demo login source, and the schools left off the
    lists. Runs after the home organisations are loaded; loading twice changes nothing."""
    sources = {source.name: source for source in LoginSource.objects.filter(name__in=DEMO_LOGIN_PAGES)}
    # The demo's sources were loaded serving every school of their organisation: settle which of
    # Espoo's two production sources lists which school first, so the checked saves below agree.
    google = sources.get("Espoon Google Workspace")
    if google is not None and not google.excluded_schools.exists():
        google.excluded_schools.set(School.objects.filter(code__in=DEMO_EXCLUDED[google.name]))
    for name, (display_names, titles, (initials, colour)) in DEMO_LOGIN_PAGES.items():
        source = sources.get(name)
        if source is None:
            continue
        data: dict = {
            f"display_name_{lang}": text for lang, text in zip(("fi", "sv", "en"), display_names, strict=True)
        }
        data.update({f"title_{lang}": text for lang, text in zip(("fi", "sv", "en"), titles, strict=True)})
        data["excluded_schools"] = list(source.schools.filter(code__in=DEMO_EXCLUDED.get(name, ())))
        services.login_source_login_page_save(login_source=source, data=data, logo=demo_logo(initials, colour), by=None)
    report(f"Login page entries: {len(sources)}")


# ---------------------------------------------------------------- a login source on its way to production (issue 14)

# Tampere tries Entra ID for its upper secondary school in the test environment, and has asked for
# production: staff see it waiting in the review queue. Its ADFS stops listing that school on the
# login page, so the school is listed under one production source once the promotion is approved.
DEMO_TEST_SOURCE = {
    "business_id": "0211675-2",
    "school": "00915",
    "fields": {
        "kind": "entra", "name": "Tampereen lukioiden Entra ID", "environment": "test",
        "tenant_id": "8d1b5c0a-3f2e-4a7b-9c61-2e5d7f0a4b19",
        "metadata_url": "https://login.microsoftonline.example/8d1b5c0a-3f2e-4a7b-9c61-2e5d7f0a4b19/federationmetadata/2007-06/federationmetadata.xml",
    },
    "login_page": {
        "display_name_fi": "Tampereen lukiot", "display_name_sv": "Tammerfors gymnasier",
        "display_name_en": "Tampere upper secondary schools", "title_fi": "Opiskelijat ja opettajat",
        "title_sv": "Studerande och lärare", "title_en": "Students and teachers",
    },
}  # fmt: skip


def load_login_source_promotion(*, report: Callable[[str], None]) -> None:
    """A test Entra ID source, mapped, with a logo, its metadata checked, whose promotion waits for
    staff review. Runs after the agreements: promotion needs the membership in force."""
    spec = DEMO_TEST_SOURCE
    organisation = Organisation.objects.filter(business_id=spec["business_id"]).first()
    if (
        organisation is None
        or LoginSource.objects.filter(organisation=organisation, name=spec["fields"]["name"]).exists()
    ):
        return
    school = School.objects.get(code=spec["school"])
    source = LoginSource.objects.create(organisation=organisation, approved_at=timezone.now(), **spec["fields"])
    source.schools.set([school])
    source.flow_name = services.flow_name_for(organisation, source)
    source.save(update_fields=["flow_name"])
    _demo_metadata_check(source)
    services.login_source_mapping_set(
        login_source=source, mapping={**DEMO_MAPPINGS["entra"], "schoolCode": {"value": school.code}}, by=None
    )
    services.login_source_login_page_save(
        login_source=source,
        data={**spec["login_page"], "excluded_schools": []},
        logo=demo_logo("TL", "#4a148c"),
        by=None,
    )
    try:
        services.login_source_promote(login_source=source, by=None)
    except ValidationError as refused:  # e.g. the organisation's membership is not in force in this demo
        report(f"Login source left in test: {' '.join(refused.messages)}")
        return
    report(f"Login source waiting for promotion to production: {source.name}")
