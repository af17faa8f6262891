"""The member register (DESIGN section 2)."""

from __future__ import annotations

import datetime
import unicodedata
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.attributes import ATTRIBUTES, Attribute
from members.business_id import validate_business_id
from members.oids import OID_MAX_LENGTH, validate_oid
from members.uris import validate_entity_id, validate_https_url


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    JOINT_MUNICIPAL_AUTHORITY = "joint_municipal_authority", _("joint municipal authority")
    PRIVATE_EDUCATION_PROVIDER = "private_education_provider", _("private education provider")
    STATE = "state", _("state")
    COMPANY = "company", _("company")
    OTHER = "other", _("other")


# Only education providers may join as home organisations (DESIGN section 2).
EDUCATION_PROVIDER_KINDS = frozenset(
    {
        OrganisationKind.MUNICIPALITY,
        OrganisationKind.JOINT_MUNICIPAL_AUTHORITY,
        OrganisationKind.PRIVATE_EDUCATION_PROVIDER,
        OrganisationKind.STATE,
    }
)


class Organisation(models.Model):
    """A member, or an organisation applying to become one."""

    name_fi = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    business_id = models.CharField(_("business ID"), max_length=9, unique=True, validators=[validate_business_id])
    oid = models.CharField(_("OID"), max_length=OID_MAX_LENGTH, blank=True, validators=[validate_oid])
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    is_home_organisation = models.BooleanField(_("home organisation"), default=False)
    is_service_provider = models.BooleanField(_("service provider"), default=False)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # Published as md:OrganizationURL of each of its services' entities (DESIGN section 5); never
    # a service's information page, which is about the service, not the organisation.
    website_url = models.URLField(
        _("website URL"), max_length=500, blank=True, validators=[validate_https_url],
        help_text=_("The organisation's own website (https), published in the SAML metadata of its services."),
    )  # fmt: skip
    # The services this home organisation's users may use; empty means every service.
    allowed_services = models.ManyToManyField(
        "Service", blank=True, related_name="allowed_for", verbose_name=_("allowed services")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_fi"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_home_organisation=True) | models.Q(kind__in=sorted(EDUCATION_PROVIDER_KINDS)),
                name="members_home_org_is_education_provider",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Finnish."""
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi


class ContactKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("administrative")
    TECHNICAL = "technical", _("technical")
    SECURITY = "security", _("security")
    SUPPORT = "support", _("support")


class Contact(models.Model):
    """One of an organisation's contacts (DESIGN section 2); the security contact goes into metadata."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="members_one_contact_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


# ASCII digits only: `\d` and str.isdigit() also accept Arabic-Indic (٠١٢) and full-width (０１２)
# digits, which look like a code on screen but are not one to the proxy or Statistics Finland.
MUNICIPALITY_CODE_PATTERN = r"^[0-9]{3}$"
SCHOOL_CODE_PATTERN = r"^[0-9]{5}$"


def has_control_character(value: str) -> bool:
    """True if the text holds a control character (NUL, a tab, a line break …) a name cannot have."""
    return any(unicodedata.category(character) == "Cc" for character in value)


def validate_no_control_characters(value: str) -> None:
    # A NUL cannot be stored in PostgreSQL at all, and other control characters break the login
    # page and the proxy's files the name is shown in: refuse them at the field, by name.
    if has_control_character(value):
        raise ValidationError(_("The value contains a character that is not allowed (a control character)."))


class MunicipalityCode(models.Model):
    """A 3-digit Statistics Finland municipality code of a home organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="municipality_codes")
    code = models.CharField(
        _("municipality code"),
        max_length=3,
        validators=[RegexValidator(MUNICIPALITY_CODE_PATTERN, _("A municipality code has exactly three digits."))],
    )

    class Meta:
        verbose_name = _("municipality code")
        verbose_name_plural = _("municipality codes")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="members_municipality_code_once")]

    def __str__(self) -> str:
        return self.code


class SchoolType(models.TextChoices):
    BASIC = "basic", _("basic education")
    UPPER_SECONDARY = "upper_secondary", _("general upper secondary")
    VOCATIONAL = "vocational", _("vocational")
    EARLY_CHILDHOOD = "early_childhood", _("early childhood education")
    OTHER = "other", _("other")


class School(models.Model):
    """A school (oppilaitos) of a home organisation, shown on the login page.

    Its OID is the national organisation register's; blank only for a school entered before
    schools had OIDs. A school the register closes is marked closed (`closed_on`), never deleted
    while a login source serves it (members.services.school_delete).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="schools")
    code = models.CharField(
        _("school code"),
        max_length=5,
        unique=True,
        validators=[
            RegexValidator(SCHOOL_CODE_PATTERN, _("A school code (oppilaitosnumero) has exactly five digits."))
        ],
    )
    oid = models.CharField(_("OID"), max_length=OID_MAX_LENGTH, blank=True, validators=[validate_oid])
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_control_characters])
    school_type = models.CharField(_("school type"), max_length=20, choices=SchoolType.choices)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            # Blank for old rows, unique when set; unique across offices too (migration 0010's trigger).
            models.UniqueConstraint(
                fields=["oid"],
                condition=~models.Q(oid=""),
                name="members_school_oid_unique",
                violation_error_message=_("Another school already has this OID."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class Office(models.Model):
    """An office (toimipiste) of a school: a site of its own with an OID in the organisation register.

    The role value's last part is an office OID (DESIGN section 4). An office's OID is never the
    same as any school's (enforced in the database by migration 0010's trigger).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="offices")
    oid = models.CharField(_("OID"), max_length=OID_MAX_LENGTH, unique=True, validators=[validate_oid])
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_control_characters])
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class Environment(models.TextChoices):
    TEST = "test", _("test")
    PRODUCTION = "production", _("production")


class LoginSourceKind(models.TextChoices):
    WILMA = "wilma", _("Wilma")
    GOOGLE = "google", _("Google Workspace")
    ADFS = "adfs", _("ADFS")
    SAML = "saml", _("other SAML identity provider")
    ENTRA = "entra", _("Microsoft Entra ID")
    OIDC = "oidc", _("OpenID Connect identity provider")
    OPINSYS = "opinsys", _("Opinsys")


# Which fields each kind of login source needs (DESIGN section 2).
LOGIN_SOURCE_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    LoginSourceKind.WILMA: ("hostnames",),
    LoginSourceKind.GOOGLE: ("entity_id", "metadata_url"),
    LoginSourceKind.ADFS: ("entity_id", "metadata_url"),
    LoginSourceKind.SAML: ("entity_id", "metadata_url"),
    LoginSourceKind.ENTRA: ("tenant_id", "metadata_url"),
    LoginSourceKind.OIDC: ("issuer",),
    # Opinsys is one national service: the organisation is told apart by its Opinsys organisation
    # name (the hostname part of <organisation>.opinsys.fi), kept in `hostnames`.
    LoginSourceKind.OPINSYS: ("hostnames",),
}
# Kinds whose attributes the organisation maps onto MPASSid's (Wilma and Opinsys have fixed mappings).
MAPPED_KINDS = frozenset(
    {LoginSourceKind.GOOGLE, LoginSourceKind.ADFS, LoginSourceKind.SAML, LoginSourceKind.ENTRA, LoginSourceKind.OIDC}
)


# Kinds whose metadata URL serves SAML IdP metadata (checked by members.services).
SAML_METADATA_KINDS = frozenset(
    {LoginSourceKind.GOOGLE, LoginSourceKind.ADFS, LoginSourceKind.SAML, LoginSourceKind.ENTRA}
)
# The authnContextClassRef prefix by which MPASSid's proxy picks one login source.
AUTHN_SOURCE_PREFIX = "urn:mpass.id:authnsource:"
# Microsoft Entra ID's SAML entityID for a tenant (its federation metadata's EntityDescriptor).
ENTRA_ENTITY_ID = "https://sts.windows.net/{tenant_id}/"


class LoginSource(models.Model):
    """How a home organisation's users log in, and which of its schools the source serves."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="login_sources")
    kind = models.CharField(_("kind"), max_length=20, choices=LoginSourceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Every source starts in test and is promoted to production (DESIGN section 2, Lifecycle); each
    # environment's proxy configuration carries only its own sources.
    environment = models.CharField(
        _("environment"), max_length=20, choices=Environment.choices, default=Environment.TEST, db_index=True
    )
    # Wilma: the hostnames of its Wilma (several when schools use different ones); Opinsys: one name.
    hostnames = models.JSONField(_("hostnames"), default=list, blank=True)
    entity_id = models.CharField(_("entityID"), max_length=400, blank=True, validators=[validate_entity_id])
    metadata_url = models.URLField(_("metadata URL"), max_length=500, blank=True, validators=[validate_https_url])
    tenant_id = models.CharField(_("tenant ID"), max_length=64, blank=True)
    issuer = models.URLField(_("issuer"), max_length=500, blank=True, validators=[validate_https_url])
    schools = models.ManyToManyField(School, blank=True, related_name="login_sources", verbose_name=_("schools"))
    # {MPASSid attribute key: {"source": "<the source's attribute or claim>"} or {"value": "<static>"}}
    # for MAPPED_KINDS (members.attribute_mapping validates it against the attribute catalogue).
    attribute_mapping = models.JSONField(_("attribute mapping"), default=dict, blank=True)
    # What the MPASSid login page shows for this source (discovery.json, DESIGN section 5).
    display_name_fi = models.CharField(_("display name (Finnish)"), max_length=200, blank=True)
    display_name_sv = models.CharField(_("display name (Swedish)"), max_length=200, blank=True)
    display_name_en = models.CharField(_("display name (English)"), max_length=200, blank=True)
    title_fi = models.CharField(_("title (Finnish)"), max_length=200, blank=True)
    title_sv = models.CharField(_("title (Swedish)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to="login-source-logos/", max_length=200, blank=True)
    # The schools listed under it on the login page: those it serves unless some are excluded here.
    excluded_schools = models.ManyToManyField(
        School, blank=True, related_name="excluded_from_login_sources", verbose_name=_("schools not listed")
    )
    # `urn:mpass.id:authnsource:<flow_name>` selects this source directly (the test link).
    flow_name = models.SlugField(_("flow name"), max_length=100, unique=True, null=True, blank=True, editable=False)
    # A production source promoted from a test one (the test source stays), approved by staff;
    # the proxy sees a source only once it is approved.
    promoted_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="promoted_to",
        verbose_name=_("promoted from"), editable=False,
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("approved by"),
    )  # fmt: skip
    # Staff refused the last promotion request of this test source: the pending production copy is
    # removed (so a corrected request can be made) and the reason stays here for the organisation.
    promotion_refused_at = models.DateTimeField(_("promotion refused at"), null=True, blank=True, editable=False)
    promotion_refusal_reason = models.TextField(_("reason the promotion was refused"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last check of the metadata at `metadata_url` (members.services.login_source_metadata_check):
    # null `metadata_ok` means not checked since the URL or entityID last changed.
    metadata_checked_at = models.DateTimeField(_("metadata checked"), null=True, blank=True, editable=False)
    metadata_ok = models.BooleanField(_("metadata OK"), null=True, blank=True, editable=False)
    metadata_error = models.TextField(_("metadata problem"), blank=True, editable=False)
    metadata_certificate_expires_at = models.DateTimeField(
        _("signing certificate expires"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("login source")
        verbose_name_plural = _("login sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promoted_from__isnull=True) | models.Q(environment="production"),
                name="members_login_source_promoted_to_production",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def uses_saml_metadata(self) -> bool:
        return self.kind in SAML_METADATA_KINDS

    @property
    def is_checked_remotely(self) -> bool:
        """Whether a metadata or discovery document is fetched and checked for it."""
        return self.kind in SAML_METADATA_KINDS or self.kind == LoginSourceKind.OIDC

    @property
    def hostname(self) -> str:
        """The first hostname: what the proxy matches a Wilma or Opinsys source by."""
        return self.hostnames[0] if self.hostnames else ""

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def display_name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"display_name_{language}", "") or self.display_name_fi or self.name

    # What the MPASSid login page shows (issue 14).
    @property
    def login_page_title(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"title_{language}", "") or self.title_fi

    @property
    def listed_schools(self) -> list[School]:
        """The schools listed under it on the login page: those it serves, less those excluded
        (reads `schools` and `excluded_schools`, prefetched where a page lists many)."""
        excluded = {school.pk for school in self.excluded_schools.all()}
        return sorted((s for s in self.schools.all() if s.pk not in excluded), key=lambda s: (s.name, s.code))

    @property
    def logo_preview_url(self) -> str:
        """Where the portal shows its current logo (the proxy's URL shows only what is published);
        the query changes with the logo, so a browser never shows an old one."""
        if not self.logo:
            return ""
        version = self.logo.name.rsplit("/", 1)[-1].split(".")[0][:16]
        return reverse("members:login-source-logo", args=[self.organisation_id, self.pk]) + f"?v={version}"

    @property
    def expected_entity_id(self) -> str:
        """The entityID its metadata must describe. Entra ID's SAML entityID is fixed by the tenant."""
        if self.kind == LoginSourceKind.ENTRA:
            return ENTRA_ENTITY_ID.format(tenant_id=self.tenant_id) if self.tenant_id else ""
        return self.entity_id

    @property
    def authn_context_class_ref(self) -> str:
        """What a login request names to pick this source directly (DESIGN section 2, the test link)."""
        return f"{AUTHN_SOURCE_PREFIX}{self.flow_name}" if self.flow_name else ""

    @property
    def test_login_url(self) -> str:
        """The proxy's login of this source's environment, straight to this source, or "" when
        the operator has not configured one (PROXY_TEST_LOGIN_URL)."""
        base = settings.PROXY_TEST_LOGIN_URL.get(self.environment, "")
        if not base or not self.flow_name:
            return ""
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}{urlencode({'authnContextClassRef': self.authn_context_class_ref})}"

    @property
    def metadata_state(self) -> str:
        """One of unchecked, ok, error, or expiring (the signing certificate expires within the
        warning period, CERTIFICATE_WARNING_DAYS), for status badges."""
        if self.metadata_ok is None:
            return "unchecked"
        if not self.metadata_ok:
            return "error"
        warn_from = timezone.now() + datetime.timedelta(days=settings.TRUSTNET_CERTIFICATE_WARNING_DAYS)
        expires_at = self.metadata_certificate_expires_at
        return "expiring" if expires_at is not None and expires_at <= warn_from else "ok"


class Protocol(models.TextChoices):
    SAML = "saml", _("SAML 2.0")
    OIDC = "oidc", _("OpenID Connect")


class Service(models.Model):
    """A service of a service provider: its identity. What it does lives in versions (review)."""

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services", verbose_name=_("service provider")
    )
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices)
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    # SAML: entityID is the service's identity in an environment (unique, held by the database).
    entity_id = models.CharField(_("entityID"), max_length=400, blank=True, validators=[validate_entity_id])
    # OIDC: generated client_id, and the secret encrypted with TRUSTNET_SECRET_KEY (members/secrets.py).
    client_id = models.CharField(_("client ID"), max_length=64, blank=True)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    live_version = models.OneToOneField(
        "ServiceVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Staff took the live service out of the proxy configuration (issue 15: a live service whose
    # data broke every build had no way out). Cleared when staff approve a version again.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, editable=False)
    # A production service made by promoting a test service (DESIGN section 2, lifecycle): the test
    # service stays, and at most one production service comes from it.
    promoted_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="promoted_to",
        verbose_name=_("promoted from"), editable=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "entity_id"],
                condition=~models.Q(entity_id=""),
                name="members_entity_id_unique_per_environment",
            ),
            models.UniqueConstraint(
                fields=["client_id"], condition=~models.Q(client_id=""), name="members_client_id_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal_reason=""),
                name="members_withdrawal_has_reason",
            ),
            # Only a production service is promoted from one (a test one).
            models.CheckConstraint(
                condition=models.Q(promoted_from__isnull=True) | models.Q(environment="production"),
                name="members_promoted_to_production",
            ),
        ]

    def __str__(self) -> str:
        return self.entity_id or self.client_id or f"service {self.pk}"


class GrantType(models.TextChoices):
    AUTHORIZATION_CODE = "authorization_code", _("authorization code")
    REFRESH_TOKEN = "refresh_token", _("refresh token")


# The methods with which a client authenticates by its client secret.
SECRET_AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post"})


class PreviousClientSecret(models.Model):
    """A rotated-out OIDC client secret that stays valid until `expires_at` (the overlap the member
    chose), so the service can switch without an outage. Encrypted like the current one
    (members/secrets.py); dropped once expired (`members.services.previous_secrets_prune`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="previous_secrets")
    secret_encrypted = models.TextField(editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(_("rotated at"))

    class Meta:
        ordering = ["-expires_at", "-id"]
        indexes = [models.Index(fields=["expires_at"], name="members_prev_secret_expiry")]

    def __str__(self) -> str:
        return f"{self.service} until {self.expires_at:%Y-%m-%d %H:%M}"


class VersionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")
    WITHDRAWN = "withdrawn", _("withdrawn")


class AuthMethod(models.TextChoices):
    CLIENT_SECRET_BASIC = "client_secret_basic", "client_secret_basic"
    CLIENT_SECRET_POST = "client_secret_post", "client_secret_post"
    PRIVATE_KEY_JWT = "private_key_jwt", "private_key_jwt"


class ServiceVersion(models.Model):
    """One version of what a service is. Approved versions are immutable; the proxy sees only
    `Service.live_version` (DESIGN section 2, review)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.PENDING)
    name_fi = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_fi = models.TextField(_("description (Finnish)"), max_length=2000, blank=True)
    description_sv = models.TextField(_("description (Swedish)"), max_length=2000, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=2000, blank=True)
    logo_url = models.URLField(_("logo URL"), max_length=500, blank=True, validators=[validate_https_url])
    # SAML metadata (mdui:Logo) must state a logo's size in pixels.
    logo_width = models.PositiveSmallIntegerField(_("logo width (px)"), null=True, blank=True)
    logo_height = models.PositiveSmallIntegerField(_("logo height (px)"), null=True, blank=True)
    information_url = models.URLField(_("information URL"), max_length=500, blank=True, validators=[validate_https_url])
    privacy_url = models.URLField(
        _("privacy statement URL"), max_length=500, blank=True, validators=[validate_https_url]
    )
    # SAML: [{"binding": ..., "location": ..., "index": n, "is_default": bool}]
    acs_endpoints = models.JSONField(_("assertion consumer services"), default=list, blank=True)
    # PEM strings. Several of each during a key rollover, when old and new are published side by
    # side (DESIGN section 2); a list in the version keeps each version an immutable snapshot.
    signing_certificates = models.JSONField(_("signing certificates"), default=list, blank=True)
    encryption_certificates = models.JSONField(_("encryption certificates"), default=list, blank=True)
    name_id_format = models.CharField(_("NameID format"), max_length=200, blank=True)
    authn_requests_signed = models.BooleanField(_("authentication requests signed"), default=False)
    want_assertions_signed = models.BooleanField(_("wants assertions signed"), default=False)
    # Kept at save so lists can filter on expiring certificates without parsing: the EARLIEST
    # expiry among the version's signing (encryption) certificates.
    signing_certificate_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the provider was last warned that a certificate of this (live) version expires soon.
    expiry_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    encryption_certificate_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # OIDC
    redirect_uris = models.JSONField(_("redirect URIs"), default=list, blank=True)
    auth_method = models.CharField(_("client authentication"), max_length=30, choices=AuthMethod.choices, blank=True)
    jwks_uri = models.URLField(_("JWKS URI"), max_length=500, blank=True, validators=[validate_https_url])
    pkce_required = models.BooleanField(_("PKCE required"), default=True)
    # Whether the proxy may release test learner numbers to this service (DESIGN section 2).
    test_learner_numbers_allowed = models.BooleanField(_("test learner numbers allowed"), default=False)
    post_logout_redirect_uris = models.JSONField(_("post-logout redirect URIs"), default=list, blank=True)
    # RFC 6749 scope tokens, space-separated; `openid` is always among them (OIDC Core 3.1.2.1).
    scope = models.CharField(_("scope"), max_length=500, blank=True, default="openid profile")
    grant_types = models.JSONField(_("grant types"), default=list, blank=True)
    response_types = models.JSONField(_("response types"), default=list, blank=True)
    # [{"key": "<attributes.ATTRIBUTES key>", "purpose": "..."}]
    requested_attributes = models.JSONField(_("requested attributes"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    auto_approved = models.BooleanField(default=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        ordering = ["-id"]
        constraints = [
            # At most one change waits for review per service.
            models.UniqueConstraint(
                fields=["service"], condition=models.Q(status="pending"), name="members_one_pending_version"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="members_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_fi} #{self.pk}"

    def released_attributes(self) -> list[tuple[Attribute, str]]:
        """(attribute, purpose) for each requested attribute, in the information model's order."""
        purposes = {item["key"]: item.get("purpose", "") for item in self.requested_attributes}
        return [(attribute, purposes[key]) for key, attribute in ATTRIBUTES.items() if key in purposes]

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi

    @property
    def description(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"description_{language}", "") or self.description_fi


class ReviewPolicy(models.Model):
    """Staff's auto-approval switches (one row)."""

    auto_approve_test = models.BooleanField(_("auto-approve test-environment services"), default=False)
    auto_approve_certificate_changes = models.BooleanField(_("auto-approve certificate-only changes"), default=False)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policy")

    def __str__(self) -> str:
        return "review policy"

    @classmethod
    def current(cls) -> ReviewPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


# --- People in member organisations (DESIGN section 1) ---------------------------------------
# These two were first made in the `accounts` app; their tables keep the names they had there
# (`db_table`), so moving them here changed no table and no row.


class Role(models.TextChoices):
    """What a person may do for an organisation (DESIGN section 1)."""

    ADMIN = "admin", _("administrator")
    SIGNATORY = "signatory", _("signatory")
    TECHNICAL = "technical", _("technical contact")


class OrganisationRole(models.Model):
    """One role a user holds in one member organisation; a user may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "accounts_organisationrole"
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="accounts_one_role_per_user_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.organisation} / {self.role}"


class Invitation(models.Model):
    """An emailed link that lets a person join an organisation (or the operator's staff).

    Only the SHA-256 of the token is stored, so a database leak gives no working links.
    """

    email = models.EmailField(_("email address"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_("Empty for an invitation to the operator's staff."),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    grants_staff = models.BooleanField(_("operator staff"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(grants_staff=True),
                name="accounts_invitation_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation or 'operator staff'}"

    def is_pending(self, *, at=None) -> bool:
        at = at or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > at

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
