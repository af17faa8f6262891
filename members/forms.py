"""Forms of the register. They only parse input; the rules live in members/services.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from csv_files import csv_decode
from members.attribute_mapping import (
    CLAIM_SUGGESTIONS,
    MAX_STATIC_VALUE_LENGTH,
    SOURCE,
    STATIC_VALUE_EXAMPLES,
    VALUE,
    effective_mapping,
)
from members.attributes import ATTRIBUTES, MANDATORY_MAPPED_KEYS, MAPPED_ATTRIBUTE_KEYS, STATIC_VALUE_KEYS
from members.metadata import MAX_ACS_ENDPOINTS, MAX_CERTIFICATES_PER_USE
from members.models import (
    LOGIN_SOURCE_REQUIRED_FIELDS,
    MUNICIPALITY_CODE_PATTERN,
    AuthMethod,
    ContactKind,
    Environment,
    GrantType,
    LoginSource,
    LoginSourceKind,
    Office,
    Organisation,
    OrganisationKind,
    Role,
    School,
    Service,
    ServiceVersion,
)
from members.services import NO_ROLE_MESSAGE, ORGANISATION_FIELDS, oid_taken, oid_taken_message
from members.uris import MAX_ENTITY_ID_LENGTH, validate_entity_id, validate_https_url
from widgets import described_choice


class OrganisationForm(forms.ModelForm):
    municipality_codes = forms.CharField(
        label=_("Municipality codes"),
        required=False,
        help_text=_("Three-digit Statistics Finland codes, separated by commas (home organisations)."),
    )

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["municipality_codes"].initial = ", ".join(
                self.instance.municipality_codes.values_list("code", flat=True)
            )

    def clean_municipality_codes(self) -> list[str]:
        codes = [c.strip() for c in self.cleaned_data["municipality_codes"].replace(";", ",").split(",") if c.strip()]
        bad = [c for c in codes if not re.fullmatch(MUNICIPALITY_CODE_PATTERN, c)]
        if bad:
            raise forms.ValidationError(
                _("Not a three-digit municipality code: %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return codes

    def clean(self) -> dict:
        data = super().clean()
        if "is_home_organisation" in self.fields and not (
            data.get("is_home_organisation") or data.get("is_service_provider")
        ):
            self.add_error("is_home_organisation", NO_ROLE_MESSAGE)
        return data


class MemberOrganisationForm(OrganisationForm):
    """What a member's admin may change themselves: not the business ID, kind or member roles."""

    class Meta(OrganisationForm.Meta):
        fields = ["name_fi", "name_sv", "name_en", "oid", "street_address", "postal_code", "city", "website_url"]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def clean(self) -> dict:
        data = super().clean()
        # An email address typed but refused already has its one message ("Enter a valid email
        # address."); saying it is missing as well would contradict it.
        if data.get("name") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("A contact needs an email address."))
        if data.get("email") and not data.get("name"):
            self.add_error("name", _("A contact needs a name. Clear both name and email to remove the contact."))
        return data


def contact_forms(organisation: Organisation, data: Any = None) -> list[tuple[str, str, ContactForm]]:
    existing = {c.kind: c for c in organisation.contacts.all()}
    result = []
    for kind, label in ContactKind.choices:
        contact = existing.get(kind)
        initial = {"name": contact.name, "email": contact.email, "phone": contact.phone} if contact else {}
        result.append((kind, label, ContactForm(data, prefix=kind, initial=initial)))
    return result


def _oid_help() -> str:
    return _("From the national organisation register (Opintopolku), e.g. 1.2.246.562.10.12345678901.")


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["code", "oid", "name", "school_type"]
        help_texts = {"oid": _oid_help()}

    def clean_oid(self) -> str:
        # The model's conditional unique constraint would only say "constraint violated", off the
        # field; and an office's OID is taken too. Same check as the service (forms, CSV and API).
        oid = self.cleaned_data["oid"].strip()
        if taken := oid_taken(oid, school=self.instance if self.instance.pk else None):
            raise ValidationError(oid_taken_message(taken))
        return oid


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["oid", "name"]
        help_texts = {"oid": _oid_help()}

    def clean_oid(self) -> str:
        oid = self.cleaned_data["oid"].strip()
        if taken := oid_taken(oid, office=self.instance if self.instance.pk else None):
            raise ValidationError(oid_taken_message(taken))
        return oid


class SchoolImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_(
            "Columns: school code, name, type (basic, upper_secondary, vocational, early_childhood, other) and "
            "optionally the school's OID. Offices are added on the school's page."
        ),
    )
    text = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The preview names the line and column of a NUL ("a character that is not allowed");
        # Django's own check would only say "(Hidden field text) Null characters are not allowed."
        self.fields["text"].validators = []

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 1024 * 1024:
                self.add_error("file", _("The file is larger than 1 MB."))
                return data
            try:
                data["text"] = csv_decode(upload.read())
            except ValidationError as error:
                self.add_error("file", error)
                return data
        if not data.get("text"):
            self.add_error("file", _("Choose a CSV file."))
        return data


# The login source form's fields that only some kinds have, and the source's field each fills.
LOGIN_SOURCE_KIND_FIELDS = {
    "hostnames_text": "hostnames",
    "entity_id": "entity_id",
    "metadata_url": "metadata_url",
    "tenant_id": "tenant_id",
    "issuer": "issuer",
}


class LoginSourceForm(forms.ModelForm):
    hostnames_text = forms.CharField(
        label=_("Hostnames"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Wilma: each hostname of your Wilma on its own line, e.g. espoo.inschool.fi. "
            "Opinsys: your Opinsys organisation's name, e.g. kirkkonummi."
        ),
    )  # fmt: skip

    class Meta:
        model = LoginSource
        fields = ["kind", "name", "hostnames_text", "entity_id", "metadata_url", "tenant_id", "issuer", "schools"]
        widgets = {"schools": forms.CheckboxSelectMultiple}
        help_texts = {
            "entity_id": _("Google Workspace, ADFS and other SAML identity providers."),
            "metadata_url": _("SAML identity providers and Entra ID."),
            "tenant_id": _("Entra ID only."),
            "issuer": _("OpenID Connect identity providers only."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = School.objects.filter(organisation=organisation)
        self.fields["kind"].widget.attrs["data-login-source-kind"] = ""
        if self.instance.pk:
            self.fields["hostnames_text"].initial = "\n".join(self.instance.hostnames)
        self.kind = self._chosen_kind()
        for name, kinds in self.field_kinds().items():
            field = self.fields[name]
            # Each of these is needed by the kinds that use it (the service says so if it is empty).
            field.marked_required = True
            field.widget.attrs["aria-required"] = "true"
            if self.kind and self.kind not in kinds:
                # Another kind's field: not shown, not submitted, its input ignored (the service
                # clears what the chosen kind does not use). static/js/login-source-kind.js shows
                # and enables it again if the kind is changed.
                field.disabled = True

    def _chosen_kind(self) -> str:
        """The kind in the submitted data, else the source's own; "" before one is chosen."""
        kind = self.data.get(self.add_prefix("kind"), "") if self.is_bound else self.instance.kind
        return kind if kind in LoginSourceKind.values else ""

    @staticmethod
    def field_kinds() -> dict[str, list[str]]:
        """The kind-specific fields of the form and the kinds that use each (LOGIN_SOURCE_REQUIRED_FIELDS)."""
        return {
            name: [kind for kind, required in LOGIN_SOURCE_REQUIRED_FIELDS.items() if source_field in required]
            for name, source_field in LOGIN_SOURCE_KIND_FIELDS.items()
        }

    def rows(self) -> list[tuple[forms.BoundField, str, bool]]:
        """Each visible field with the kinds it belongs to (space-separated; "" for every kind) and
        whether it starts hidden (another kind's field)."""
        kinds = self.field_kinds()
        return [
            (field, " ".join(kinds.get(field.name, [])), field.name in kinds and self.fields[field.name].disabled)
            for field in self.visible_fields()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["hostnames"] = [
            line.strip() for line in (data.pop("hostnames_text", "") or "").splitlines() if line.strip()
        ]
        return data


class AllowedServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        label=_("Services the users may use"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to allow every service."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["services"]
        # Only production services are public (the public register lists them). Another provider's
        # test services are not this organisation's business, so they are not offered. Two
        # exceptions reveal nothing new: the organisation's own services, and test services it
        # already allows (kept visible and selected so saving the form does not silently drop them).
        offered = (
            Q(environment=Environment.PRODUCTION)
            | Q(provider=organisation)
            | Q(pk__in=organisation.allowed_services.values("pk"))
        )
        field.queryset = (
            Service.objects.filter(offered, live_version__isnull=False)
            .select_related("live_version", "provider")
            .order_by("environment", "pk")
        )
        field.label_from_instance = lambda s: (
            f"{s.live_version.name} – {s.provider.name} ({s.get_environment_display()})"
        )


class RequestedAttributesMixin(forms.Form):
    """One checkbox and one purpose field per attribute of the information model."""

    def add_attribute_fields(self, version: ServiceVersion | None) -> None:
        language = (get_language() or "fi")[:2]
        current = {item["key"]: item.get("purpose", "") for item in (version.requested_attributes if version else [])}
        for key, attribute in ATTRIBUTES.items():
            self.fields[f"attr_{key}"] = forms.BooleanField(
                label=f"{attribute.label(language)} ({key})",
                help_text=capfirst(attribute.description),
                required=False,
                initial=key in current,
            )
            purpose = forms.CharField(
                label=_("Purpose of %(attribute)s") % {"attribute": attribute.label(language)},
                required=False,
                max_length=500,
                initial=current.get(key, ""),
                # Asked only for a ticked attribute (clean_requested_attributes); static/js/attribute-purpose.js
                # hides it while the box is unticked.
                widget=forms.TextInput(attrs={"aria-required": "true"}),
            )
            purpose.marked_required = True
            self.fields[f"purpose_{key}"] = purpose

    def attribute_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"attr_{key}"], self[f"purpose_{key}"]) for key in ATTRIBUTES]

    def clean_requested_attributes(self) -> None:
        """The purpose of a ticked attribute is required, at its own field; the purpose of an unticked
        one is ignored, whatever it holds (it was hidden, or left over from before unticking)."""
        for key, attribute in ATTRIBUTES.items():
            name = f"purpose_{key}"
            if not self.cleaned_data.get(f"attr_{key}"):
                self._errors.pop(name, None)  # e.g. too long: not asked for, so not a problem
                self.cleaned_data[name] = ""
            elif name not in self._errors and not self.cleaned_data.get(name, "").strip():
                language = (get_language() or "fi")[:2]
                self.add_error(
                    name, _("Give the purpose for which %(key)s is needed.") % {"key": attribute.label(language)}
                )

    def requested_attributes(self) -> list[dict[str, str]]:
        return [
            {"key": key, "purpose": self.cleaned_data.get(f"purpose_{key}", "")}
            for key in ATTRIBUTES
            if self.cleaned_data.get(f"attr_{key}")
        ]


DESCRIPTIVE_FIELDS = [
    "name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en",
    "logo_url", "logo_width", "logo_height", "information_url", "privacy_url",
]  # fmt: skip


_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)


def split_certificates(text: str) -> list[str]:
    """The PEM blocks pasted one after another into a field; text without PEM markers is taken as
    one (bare base64) certificate, which the certificate check then accepts or names."""
    blocks = _PEM_BLOCK.findall(text)
    return blocks or ([text.strip()] if text.strip() else [])


NAME_ID_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"


def name_id_format_choices(current: str = "") -> list[tuple[str, str]]:
    """The NameID formats a service may ask for, each said in words with its URN under it; a
    format from the service's metadata that is not among them stays a choice, so an edit keeps it."""
    choices = [
        ("", _("Not given: as in the metadata, otherwise the proxy's default")),
        (
            f"{NAME_ID_FORMAT_PREFIX}persistent",
            described_choice(
                _("Persistent pseudonymous identifier (recommended): the same at every login, "
                  "different for each service"),
                f"{NAME_ID_FORMAT_PREFIX}persistent",
            ),
        ),
        (
            f"{NAME_ID_FORMAT_PREFIX}transient",
            described_choice(
                _("Transient identifier: a new one at every login"),
                f"{NAME_ID_FORMAT_PREFIX}transient",
            ),
        ),
        (
            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            described_choice(
                _("Unspecified: the proxy chooses"), "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
            ),
        ),
    ]  # fmt: skip
    if current and current not in {value for value, _label in choices}:
        choices.append((current, described_choice(_("Another format, from the service's metadata"), current)))
    return choices


def auth_method_choices() -> list[tuple[str, str]]:
    """How the service proves itself to the proxy's token endpoint, in words (OpenID Connect's names under them)."""
    return [
        (
            AuthMethod.CLIENT_SECRET_BASIC,
            described_choice(
                _("Client secret in the Authorization header (HTTP Basic)"), AuthMethod.CLIENT_SECRET_BASIC
            ),
        ),
        (
            AuthMethod.CLIENT_SECRET_POST,
            described_choice(_("Client secret in the body of the token request"), AuthMethod.CLIENT_SECRET_POST),
        ),
        (
            AuthMethod.PRIVATE_KEY_JWT,
            described_choice(
                _("A token signed with the service's private key, no shared secret (needs the JWKS URI)"),
                AuthMethod.PRIVATE_KEY_JWT,
            ),
        ),
    ]


@dataclass(frozen=True)
class FormSection:
    """A part of a long form under its own heading."""

    heading: str
    rows: list[list[forms.BoundField]]  # the fields of a row side by side on a wide screen
    intro: str = ""
    attribute_rows: list[tuple[forms.BoundField, forms.BoundField]] = dataclass_field(default_factory=list)
    by_hand_rows: list[list[forms.BoundField]] = dataclass_field(default_factory=list)
    by_hand_open: bool = False


# The service form's parts in the order a provider fills them in, each a list of rows: the fields of
# a row stand side by side on a wide screen (one under another on a phone). Each form shows the
# fields its protocol has; the requested attributes come in "Personal data requested" after these.
SERVICE_FORM_SECTIONS: tuple[tuple[str, Any, tuple[tuple[str, ...], ...]], ...] = (
    ("about", _("About the service"), (
        ("environment",), ("name_fi", "name_sv", "name_en"), ("description_fi", "description_sv", "description_en"),
    )),
    ("connection", _("Connection"), (
        ("metadata_url", "metadata_file"), ("name_id_format",),
        ("authn_requests_signed", "want_assertions_signed"),
        ("redirect_uris_text", "post_logout_redirect_uris_text"), ("auth_method",), ("jwks_uri", "scope"),
        ("pkce_required", "refresh_tokens"),
    )),
    ("personal_data", _("Personal data requested"), (("test_learner_numbers_allowed",),)),
    ("information", _("Information for users"), (
        ("logo_url", "logo_width", "logo_height"), ("information_url", "privacy_url"),
    )),
)  # fmt: skip


SAML_CONNECTION_INTRO = _(
    "Give the metadata as a file or URL, or fill in the entityID, endpoints and certificates by hand."
)
# What a SAML service's metadata gives: entered by hand only without metadata, so folded (a
# <details>) unless something is in them or wrong with them.
SAML_BY_HAND_ROWS = (("entity_id",), ("acs_text",), ("signing_certificates", "encryption_certificates"))


class ServiceVersionForm(RequestedAttributesMixin, forms.ModelForm):
    """A service's content. For SAML the metadata can come from a file or URL instead of the fields."""

    acs_text = forms.CharField(
        label=_("Assertion consumer service URLs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One https URL per line (HTTP-POST binding); the first is the default."),
    )
    metadata_file = forms.FileField(label=_("Metadata file"), required=False)
    metadata_url = forms.URLField(
        label=_("Metadata URL"), required=False, assume_scheme="https", validators=[validate_https_url]
    )
    signing_certificates = forms.CharField(
        label=_("Signing certificates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One or more PEM certificates, one after another. During a key rollover give the old and the new one."
        ),
    )
    encryption_certificates = forms.CharField(
        label=_("Encryption certificates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One or more PEM certificates, one after another (optional)."),
    )
    redirect_uris_text = forms.CharField(
        label=_("Redirect URIs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One https URI per line, without a fragment."),
    )
    post_logout_redirect_uris_text = forms.CharField(
        label=_("Post-logout redirect URIs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the proxy may send the user after logging out: one https URI per line, without a fragment."),
    )
    refresh_tokens = forms.BooleanField(
        label=_("Refresh tokens"),
        required=False,
        help_text=_("The service may use refresh tokens (the refresh_token grant) besides the authorization code."),
    )

    class Meta:
        model = ServiceVersion
        fields = [
            *DESCRIPTIVE_FIELDS, "name_id_format", "authn_requests_signed", "want_assertions_signed",
            "auth_method", "jwks_uri", "pkce_required", "scope", "test_learner_numbers_allowed",
        ]  # fmt: skip
        widgets = {
            "description_fi": forms.Textarea(attrs={"rows": 3}),
            "description_sv": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "authn_requests_signed": _("The service signs its authentication requests (read from metadata if given)."),
            "want_assertions_signed": _("The service wants the assertions signed (read from metadata if given)."),
            "test_learner_numbers_allowed": _("Whether the proxy may release test learner numbers to this service."),
        }

    def __init__(self, *args: Any, protocol: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        instance = kwargs.get("instance")
        self.add_attribute_fields(instance)
        if protocol == "saml":
            for name in (
                "auth_method", "jwks_uri", "pkce_required", "redirect_uris_text", "post_logout_redirect_uris_text",
                "scope", "refresh_tokens",
            ):  # fmt: skip
                del self.fields[name]
            if instance:
                self.fields["acs_text"].initial = "\n".join(e["location"] for e in instance.acs_endpoints)
                self.fields["signing_certificates"].initial = "".join(instance.signing_certificates)
                self.fields["encryption_certificates"].initial = "".join(instance.encryption_certificates)
            self.fields["name_fi"].required = False  # may come from metadata
            current = instance.name_id_format if instance else ""
            self.fields["name_id_format"] = forms.ChoiceField(
                label=_("NameID format"),
                required=False,
                choices=name_id_format_choices(current),
                initial=current,
                widget=forms.RadioSelect,
                help_text=_("How the proxy identifies the user to the service in the SAML assertion's NameID."),
            )
        else:
            for name in (
                "acs_text", "metadata_file", "metadata_url", "signing_certificates", "encryption_certificates",
                "name_id_format", "authn_requests_signed", "want_assertions_signed",
            ):  # fmt: skip
                del self.fields[name]
            self.fields["auth_method"].widget = forms.RadioSelect()
            self.fields["auth_method"].choices = auth_method_choices()
            self.fields["auth_method"].required = True
            self.fields["scope"].required = False
            self.fields["scope"].help_text = _("Space-separated; must include openid. Default: openid profile.")
            if instance:
                self.fields["redirect_uris_text"].initial = "\n".join(instance.redirect_uris)
                self.fields["post_logout_redirect_uris_text"].initial = "\n".join(instance.post_logout_redirect_uris)
                self.fields["refresh_tokens"].initial = GrantType.REFRESH_TOKEN in instance.grant_types

    def sections(self) -> list[FormSection]:
        """The form's fields under their headings (SERVICE_FORM_SECTIONS), in rows, each section with
        the fields this protocol's form has; a field in no section (a new one) comes last."""
        placed: set[str] = set()
        result = []
        for key, heading, rows in SERVICE_FORM_SECTIONS:
            present = [[self[name] for name in row if name in self.fields] for row in rows]
            by_hand = []
            if key == "connection" and self.protocol == "saml":
                by_hand = [[self[name] for name in row if name in self.fields] for row in SAML_BY_HAND_ROWS]
            placed.update(field.name for row in [*present, *by_hand] for field in row)
            result.append(
                FormSection(
                    heading=heading,
                    rows=[row for row in present if row],
                    intro=SAML_CONNECTION_INTRO if by_hand else "",
                    attribute_rows=self.attribute_rows() if key == "personal_data" else [],
                    by_hand_rows=[row for row in by_hand if row],
                    by_hand_open=any(field.errors or field.value() for row in by_hand for field in row),
                )
            )
        rest = [
            self[name] for name in self.fields
            if name not in placed and not name.startswith(("attr_", "purpose_")) and not self[name].is_hidden
        ]  # fmt: skip
        if rest:
            result[-1].rows.extend([field] for field in rest)
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_requested_attributes()
        return data

    def _clean_certificates(self, name: str) -> str:
        text = self.cleaned_data.get(name, "")
        if len(split_certificates(text)) > MAX_CERTIFICATES_PER_USE:
            raise forms.ValidationError(
                _("Give at most %(limit)s certificates of each use; there are %(count)s."),
                params={"limit": MAX_CERTIFICATES_PER_USE, "count": len(split_certificates(text))},
            )
        return text

    def clean_signing_certificates(self) -> str:
        return self._clean_certificates("signing_certificates")

    def clean_encryption_certificates(self) -> str:
        return self._clean_certificates("encryption_certificates")

    def clean_acs_text(self) -> str:
        text = self.cleaned_data.get("acs_text", "")
        count = sum(1 for line in text.splitlines() if line.strip())
        if count > MAX_ACS_ENDPOINTS:
            raise forms.ValidationError(
                _("There are %(count)s assertion consumer service endpoints; at most %(limit)s are accepted."),
                params={"count": count, "limit": MAX_ACS_ENDPOINTS},
            )
        return text

    def version_data(self) -> dict[str, Any]:
        """The form's content as service-version fields (metadata not yet applied)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        if self.protocol == "saml":
            lines = [line.strip() for line in self.cleaned_data.get("acs_text", "").splitlines() if line.strip()]
            existing = self.instance.acs_endpoints if self.instance.pk else []
            # Unchanged locations keep their bindings and indexes (e.g. from metadata), so an edit of
            # other fields is not mistaken for an endpoint change that needs review.
            if lines and lines != [endpoint["location"] for endpoint in existing]:
                data["acs_endpoints"] = [
                    {
                        "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                        "location": line,
                        "index": i,
                        "is_default": i == 0,
                    }
                    for i, line in enumerate(lines)
                ]
            if not data.get("name_fi"):
                data.pop("name_fi", None)
            for name in ("signing_certificates", "encryption_certificates"):
                if self.cleaned_data.get(name, "").strip():
                    data[name] = split_certificates(self.cleaned_data[name])
            if not data.get("name_id_format"):
                data.pop("name_id_format", None)
        else:
            for name in ("redirect_uris", "post_logout_redirect_uris"):
                text = self.cleaned_data.get(f"{name}_text", "")
                data[name] = [line.strip() for line in text.splitlines() if line.strip()]
            data["grant_types"] = [GrantType.AUTHORIZATION_CODE] + (
                [GrantType.REFRESH_TOKEN] if self.cleaned_data.get("refresh_tokens") else []
            )
        data["requested_attributes"] = self.requested_attributes()
        return data


class ServiceCreateForm(ServiceVersionForm):
    # Test first: it is open before the agreement is signed; production comes by promotion.
    environment = forms.ChoiceField(
        label=_("Environment"), choices=Environment.choices, initial=Environment.TEST,
        help_text=_(
            "Start in the test environment: it is open as soon as your organisation is on the register. "
            "Production needs the membership agreement in force; promote the test service when it works."
        ),
    )  # fmt: skip
    entity_id = forms.CharField(
        label=_("entityID"), required=False, max_length=MAX_ENTITY_ID_LENGTH, validators=[validate_entity_id],
        help_text=_("Not needed when metadata is given."),
    )  # fmt: skip

    field_order = ["environment", "entity_id", "metadata_file", "metadata_url"]

    def __init__(self, *args: Any, protocol: str, **kwargs: Any) -> None:
        super().__init__(*args, protocol=protocol, **kwargs)
        if protocol != "saml":
            del self.fields["entity_id"]


class VersionSelectionField(forms.Field):
    """The versions ticked in the review queue: a list of numbers, each at most once. Anything else
    (a word, a sign, a digit of another script) means the form was tampered with or is stale."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one change to approve."),
        "invalid": _("The selection could not be read. Go back to the review queue and select the changes again."),
        "too_many": _("Select at most %(limit)s changes at a time."),
    }
    LIMIT = 200

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        ids: list[int] = []
        for item in value:
            item = str(item).strip()
            if not (item.isascii() and item.isdigit()) or len(item) > 18:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if int(item) not in ids:
                ids.append(int(item))
        if len(ids) > self.LIMIT:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"limit": self.LIMIT})
        return ids


class BulkApproveForm(forms.Form):
    versions = VersionSelectionField(label=_("Changes to approve"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member sees this."),
        error_messages={"required": _("Give the reason for rejecting, so the member can fix it.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The member sees this. The service leaves the proxy configuration until a version is approved again."
        ),
        error_messages={"required": _("Give the reason for withdrawing, so the member knows what to fix.")},
    )


class ReviewPolicyForm(forms.Form):
    auto_approve_test = forms.BooleanField(label=_("Approve test-environment services automatically"), required=False)
    auto_approve_certificate_changes = forms.BooleanField(
        label=_("Approve certificate-only changes automatically"), required=False
    )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("any")), *OrganisationKind.choices])
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("any")), ("home", _("home organisation")), ("provider", _("service provider"))],
    )


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    environment = forms.ChoiceField(
        label=_("Environment"), required=False, choices=[("", _("any")), *Environment.choices]
    )
    protocol = forms.ChoiceField(
        label=_("Protocol"), required=False, choices=[("", _("any")), ("saml", "SAML 2.0"), ("oidc", "OpenID Connect")]
    )
    state = forms.ChoiceField(
        label=_("Review state"),
        required=False,
        choices=[
            ("", _("any")),
            ("pending", _("waiting for review")),
            ("live", _("live")),
            ("not_live", _("not yet live")),
        ],
    )
    expiring = forms.BooleanField(label=_("Certificates expiring soon"), required=False)


# --- People: invitations -------------------------------------------------------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "An administrator manages people and organisation data; a signatory signs "
            "agreements; a technical contact manages services and login sources."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class StaffInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class InvitationSignupForm(forms.Form):
    """A new person sets their name and password; the email address comes from the invitation."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            try:
                password_validation.validate_password(
                    password1, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SecretRotateForm(forms.Form):
    """How long the old client secret keeps working after a new one is generated."""

    overlap_days = forms.TypedChoiceField(
        label=_("The old secret keeps working for"),
        coerce=int,
        initial=7,
        # Not given (an older page): the old secret stops at once, as rotation always did.
        required=False,
        empty_value=0,
        choices=[
            (0, _("no time: it stops at once")),
            (1, _("1 day")),
            (7, _("7 days")),
            (30, _("30 days")),
        ],
        help_text=_(
            "Until then the proxy accepts both, so you can switch your service to the new secret without an outage."
        ),
    )


# ---------------------------------------------------------------- login sources: attribute mapping (issue 14)

MAPPING_FROM_CHOICES = [
    (SOURCE, _("From the source's attribute or claim")),
    (VALUE, _("A static value, the same for every user")),
]


class LoginSourceMappingForm(forms.Form):
    """One row per mapped attribute: where its value comes from, and the attribute's or claim's
    name or the static value. It only collects the mapping; the service checks it
    (members.attribute_mapping), so the form and the API say the same."""

    def __init__(self, *args: Any, login_source: LoginSource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = effective_mapping(login_source)
        suggestions = CLAIM_SUGGESTIONS.get(login_source.kind, {})
        for key in MAPPED_ATTRIBUTE_KEYS:
            entry = mapping.get(key, {})
            hints = [f"{capfirst(ATTRIBUTES[key].description)}."]
            if suggestions.get(key):
                hints.append(_("Common names: %(names)s.") % {"names": ", ".join(suggestions[key])})
            if key in STATIC_VALUE_KEYS:
                self.fields[f"{key}_from"] = forms.ChoiceField(
                    label=_("Comes from"), choices=MAPPING_FROM_CHOICES, widget=forms.RadioSelect,
                    initial=VALUE if entry.get(VALUE) else SOURCE, required=False,
                )  # fmt: skip
                hints.append(_("Static value, e.g. %(example)s.") % {"example": STATIC_VALUE_EXAMPLES[key]})
            self.fields[key] = forms.CharField(
                label=_("Attribute or claim name, or the static value") if key in STATIC_VALUE_KEYS
                else _("Attribute or claim name"),
                required=False, max_length=MAX_STATIC_VALUE_LENGTH, initial=entry.get(SOURCE) or entry.get(VALUE, ""),
                help_text=" ".join(hints),
            )  # fmt: skip

    def rows(self) -> list[dict[str, Any]]:
        """The fields grouped by attribute, for the page's one fieldset per attribute."""
        return [
            {
                "attribute": ATTRIBUTES[key],
                "mandatory": key in MANDATORY_MAPPED_KEYS,
                "from_field": self[f"{key}_from"] if f"{key}_from" in self.fields else None,
                "text_field": self[key],
            }
            for key in MAPPED_ATTRIBUTE_KEYS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mapping = {}
        for key in MAPPED_ATTRIBUTE_KEYS:
            text = (data.get(key) or "").strip()
            if text:
                form = data.get(f"{key}_from") or SOURCE
                mapping[key] = {form if form in (SOURCE, VALUE) else SOURCE: text}
        data["mapping"] = mapping
        return data


# What the MPASSid login page shows for a login source (issue 14).
class LoginSourceLoginPageForm(forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/svg+xml"}),
        help_text=_(
            "PNG, JPEG, WebP or SVG, at most %(limit)s kB; a picture 32 to 1024 pixels on each side. "
            "An SVG may not contain scripts or refer to other files."
        )
        % {"limit": settings.TRUSTNET_LOGO_MAX_BYTES // 1024},
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = LoginSource
        fields = [
            "display_name_fi", "display_name_sv", "display_name_en", "title_fi", "title_sv", "title_en",
            "excluded_schools",
        ]  # fmt: skip
        widgets = {"excluded_schools": forms.CheckboxSelectMultiple}
        labels = {
            "display_name_fi": _("Display name in Finnish"),
            "display_name_sv": _("Display name in Swedish"),
            "display_name_en": _("Display name in English"),
            "title_fi": _("Title in Finnish"),
            "title_sv": _("Title in Swedish"),
            "title_en": _("Title in English"),
            "excluded_schools": _("Schools not listed on the login page"),
        }
        help_texts = {
            "display_name_fi": _("The name on the login button. Empty: the login source's name."),
            "title_fi": _("A line under the name, e.g. who logs in with it."),
            "excluded_schools": _(
                "Of the schools this login source serves, tick those its users do not choose it for. "
                "A school may be listed under one production login source only."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["excluded_schools"].queryset = self.instance.schools.order_by("name")
        if not self.instance.logo:
            del self.fields["remove_logo"]
