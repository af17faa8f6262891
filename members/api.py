"""REST API of the register (DRF). Token or session auth; a member's user sees only their own
organisations' data, staff see everything. Writes call the same service functions as the UI
(members.services), so review, validation, the audit log and `register_changed` behave alike."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from members import services
from members.access import can_edit_technical, visible_organisation_ids
from members.attribute_mapping import (
    MAX_SOURCE_NAME_LENGTH,
    MAX_STATIC_VALUE_LENGTH,
    effective_mapping,
    mapping_missing_keys,
)
from members.attributes import ATTRIBUTES, MANDATORY_MAPPED_KEYS, MAPPED_ATTRIBUTE_KEYS
from members.certificates import MAX_CERTIFICATE_CHARS
from members.metadata import MAX_ACS_ENDPOINTS, MAX_CERTIFICATES_PER_USE, metadata_parse
from members.models import (
    SCHOOL_CODE_PATTERN,
    Contact,
    Environment,
    GrantType,
    LoginSource,
    LoginSourceKind,
    Office,
    Organisation,
    Protocol,
    School,
    SchoolType,
    Service,
    ServiceVersion,
)
from members.oids import OID_MAX_LENGTH, ORGANISATION_OID_PATTERN, validate_oid
from members.uris import (
    ENTITY_ID_PATTERN,
    HTTPS_URL_PATTERN,
    MAX_ENTITY_ID_LENGTH,
    MAX_URI_LENGTH,
    validate_entity_id,
    validate_https_url,
)


class RegisterPagination(LimitOffsetPagination):
    """A cap on `limit` (and so on what one request can ask the database for)."""

    max_limit = 1000


def _scope(queryset: QuerySet, user, field: str) -> QuerySet:
    ids = visible_organisation_ids(user)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["kind", "name", "email", "phone"]


class OrganisationSerializer(serializers.ModelSerializer):
    contacts = ContactSerializer(many=True, read_only=True)
    municipality_codes = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id", "name_fi", "name_sv", "name_en", "business_id", "oid", "kind", "is_home_organisation",
            "is_service_provider", "street_address", "postal_code", "city", "website_url", "municipality_codes",
            "contacts",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_municipality_codes(self, organisation: Organisation) -> list[str]:
        return [code.code for code in organisation.municipality_codes.all()]


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["oid", "name", "closed_on"]


class SchoolSerializer(serializers.ModelSerializer):
    offices = OfficeSerializer(many=True, read_only=True)

    class Meta:
        model = School
        fields = ["id", "organisation", "code", "oid", "name", "school_type", "closed_on", "offices"]


class MappingEntrySerializer(serializers.Serializer):
    """One attribute's mapping: the source's attribute or claim, or a static value (not both)."""

    source = serializers.CharField(
        required=False, max_length=MAX_SOURCE_NAME_LENGTH,
        help_text="The name of the source's attribute or claim (a simple name, an OID, a URN or a URI).",
    )  # fmt: skip
    value = serializers.CharField(
        required=False, max_length=MAX_STATIC_VALUE_LENGTH,
        help_text="One static value for every user (school code, role, class level or learning-materials charge).",
    )  # fmt: skip


class LoginSourceMappingSerializer(serializers.Serializer):
    """The attribute mapping, keyed by MPASSid attribute (members/attributes.py). Used for the schema:
    the body is checked by members.attribute_mapping, whose errors are keyed the same way."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            key: MappingEntrySerializer(
                required=key in MANDATORY_MAPPED_KEYS, help_text=f"{ATTRIBUTES[key].label_en} ({key})"
            )
            for key in MAPPED_ATTRIBUTE_KEYS
        }


class LoginSourceSerializer(serializers.ModelSerializer):
    schools = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    # The mapping the proxy uses: Wilma's and Opinsys' fixed one, else the stored one.
    attribute_mapping = serializers.SerializerMethodField()
    mapping_missing = serializers.SerializerMethodField(
        help_text="Mandatory MPASSid attributes not yet mapped (production needs none missing)."
    )

    class Meta:
        model = LoginSource
        fields = [
            "id", "organisation", "kind", "name", "environment", "hostnames", "entity_id", "metadata_url",
            "tenant_id", "issuer", "schools", "metadata_checked_at", "metadata_ok", "metadata_error",
            "metadata_certificate_expires_at", "flow_name", "promoted_from", "approved_at", "attribute_mapping",
            "mapping_missing", "promotion_refused_at", "promotion_refusal_reason",
        ]  # fmt: skip

    @extend_schema_field(LoginSourceMappingSerializer)
    def get_attribute_mapping(self, source: LoginSource) -> dict[str, dict[str, str]]:
        return effective_mapping(source)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(MAPPED_ATTRIBUTE_KEYS))))
    def get_mapping_missing(self, source: LoginSource) -> list[str]:
        return mapping_missing_keys(source)


class ServiceVersionSerializer(serializers.ModelSerializer):
    signing_certificates = serializers.ListField(child=serializers.CharField(), read_only=True)
    encryption_certificates = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ServiceVersion
        fields = [
            "id", "status", "name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en",
            "logo_url", "logo_width", "logo_height", "information_url", "privacy_url", "acs_endpoints",
            "signing_certificates", "encryption_certificates", "name_id_format", "authn_requests_signed",
            "want_assertions_signed", "redirect_uris", "auth_method", "jwks_uri", "pkce_required",
            "post_logout_redirect_uris", "scope", "grant_types", "response_types",
            "requested_attributes", "test_learner_numbers_allowed", "signing_certificate_expires_at",
            "encryption_certificate_expires_at", "submitted_at", "reviewed_at", "rejection_reason",
        ]  # fmt: skip


class ServiceSerializer(serializers.ModelSerializer):
    live_version = ServiceVersionSerializer(read_only=True, allow_null=True)
    pending_version = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "provider",
            "environment",
            "protocol",
            "entity_id",
            "client_id",
            "live_version",
            "pending_version",
            "promoted_from",
        ]

    @extend_schema_field(ServiceVersionSerializer(allow_null=True))
    def get_pending_version(self, service: Service) -> dict | None:
        pending = getattr(service, "pending", [])
        return ServiceVersionSerializer(pending[0]).data if pending else None


# ---------------------------------------------------------------- writes: errors and access


@contextmanager
def service_errors(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn a service's Django ValidationError into DRF's 400 `{field: [messages]}`.

    The services name the UI's form fields; `rename` maps them to the API's field names. Errors not
    tied to a field go under `non_field_errors`, as DRF's own do.
    """
    try:
        yield
    except DjangoValidationError as error:
        rename = rename or {}
        if hasattr(error, "error_dict"):
            detail = {
                ("non_field_errors" if name == "__all__" else rename.get(name, name)): [str(m) for m in messages]
                for name, messages in error.message_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in error.messages]}
        raise exceptions.ValidationError(detail) from error


def technical_organisation(user: User, organisation_id: int, *, field: str = "organisation") -> Organisation:
    """The organisation a request body names, if the caller holds its admin or technical role
    (staff: any). 403 otherwise, whether or not it exists, so ids of others are not probed."""
    if not can_edit_technical(user, organisation_id):
        raise exceptions.PermissionDenied(_("You may not change this organisation's data."))
    try:
        return Organisation.objects.get(pk=organisation_id)
    except Organisation.DoesNotExist as error:
        raise exceptions.ValidationError({field: [_("No such organisation.")]}) from error


def require_technical(user: User, organisation_id: int) -> None:
    """For an object the caller can see (else the scoped queryset gave 404): may they change it?"""
    if not can_edit_technical(user, organisation_id):
        raise exceptions.PermissionDenied(_("You may not change this organisation's data."))


# ---------------------------------------------------------------- writes: request bodies


class _UriField(serializers.CharField):
    """A URI a member enters, checked by members.uris; the schema states its pattern and length."""

    pattern = ""
    length = 0
    uri_validator = validate_https_url
    uri_format: str | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=self.length, validators=[self.uri_validator], **kwargs)
        # drf-spectacular adds the empty value of a blank field as its own oneOf branch.
        schema = {"type": "string", "maxLength": self.length, "pattern": self.pattern}
        if self.uri_format:
            schema["format"] = self.uri_format
        set_override(self, "field", schema)


class HttpsUrlField(_UriField):
    pattern, length, uri_validator, uri_format = HTTPS_URL_PATTERN, MAX_URI_LENGTH, validate_https_url, "uri"


class EntityIdField(_UriField):
    """A SAML entityID: an absolute http(s) URL or a URN."""

    pattern, length, uri_validator = ENTITY_ID_PATTERN, MAX_ENTITY_ID_LENGTH, validate_entity_id


class OidField(serializers.RegexField):
    """An organisation-register OID; the schema shows the pattern, members.oids.validate_oid decides."""

    def __init__(self, **kwargs: Any) -> None:
        message = _("This is not an OID from the national organisation register.")
        kwargs.setdefault("error_messages", {"invalid": message})
        super().__init__(ORGANISATION_OID_PATTERN, max_length=OID_MAX_LENGTH, **kwargs)
        self.validators.append(validate_oid)


class OfficeWriteSerializer(serializers.Serializer):
    oid = OidField(help_text="The office's OID in the national organisation register (1.2.246.562.10.…).")
    name = serializers.CharField(max_length=200)


class SchoolWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    code = serializers.RegexField(
        SCHOOL_CODE_PATTERN, max_length=5, help_text="Five ASCII digits (oppilaitosnumero).",
        error_messages={"invalid": _("A school code (oppilaitosnumero) has exactly five digits.")},
    )  # fmt: skip
    name = serializers.CharField(max_length=200)
    school_type = serializers.ChoiceField(choices=SchoolType.choices)
    oid = OidField(
        required=False, allow_blank=True, default="",
        help_text="The school's OID in the national organisation register (1.2.246.562.10.…); blank if unknown.",
    )  # fmt: skip
    offices = OfficeWriteSerializer(
        many=True, required=False, max_length=500,
        help_text="The school's offices (toimipiste). Given: replaces the school's offices; left out: unchanged.",
    )  # fmt: skip


class SchoolImportSerializer(serializers.Serializer):
    csv = serializers.CharField(
        max_length=1024 * 1024,  # the UI's upload limit (1 MB)
        help_text="Rows of `code,name,type[,oid]` (`,` or `;`, header optional). All rows are imported or none.",
    )


class SchoolImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


class LoginSourceWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=LoginSourceKind.choices)
    name = serializers.CharField(max_length=200)
    hostnames = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=20,
        help_text="Wilma: its hostnames (e.g. espoo.inschool.fi); Opinsys: the one organisation name.",
    )  # fmt: skip
    entity_id = EntityIdField(required=False, allow_blank=True)
    metadata_url = HttpsUrlField(required=False, allow_blank=True)
    tenant_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    issuer = HttpsUrlField(required=False, allow_blank=True)
    schools = serializers.ListField(
        child=serializers.RegexField(
            SCHOOL_CODE_PATTERN, max_length=5,
            error_messages={"invalid": _("A school code (oppilaitosnumero) has exactly five digits.")},
        ),
        required=False, max_length=5000,
        help_text="Codes of the organisation's own schools this source serves.",
    )  # fmt: skip


class AllowedServicesSerializer(serializers.Serializer):
    services = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), max_length=5000,
        help_text="Ids of live services the organisation's users may use; empty allows every service.",
    )  # fmt: skip


class AcsEndpointSerializer(serializers.Serializer):
    binding = serializers.CharField(max_length=200)
    location = HttpsUrlField()
    index = serializers.IntegerField(min_value=0, max_value=65535)
    is_default = serializers.BooleanField(default=False)


class RequestedAttributeSerializer(serializers.Serializer):
    # The catalogue's keys (members/attributes.py), so the schema lists them and an unknown key is named.
    key = serializers.ChoiceField(choices=[(a.key, a.label_en) for a in ATTRIBUTES.values()])
    purpose = serializers.CharField(max_length=500)


class VersionWriteSerializer(serializers.ModelSerializer):
    """A service version's content. Every field is optional here: on create the service's own
    validation names what is missing; on change the fields not given keep their values."""

    acs_endpoints = AcsEndpointSerializer(many=True, required=False, max_length=MAX_ACS_ENDPOINTS)
    redirect_uris = serializers.ListField(
        child=HttpsUrlField(),
        required=False, max_length=50,
    )  # fmt: skip
    # PEM strings; several of each during a key rollover (DESIGN section 2). Each is checked by the
    # service, whose error names which one ("Signing certificate 2: …").
    signing_certificates = serializers.ListField(
        child=serializers.CharField(max_length=MAX_CERTIFICATE_CHARS, trim_whitespace=True),
        required=False, max_length=MAX_CERTIFICATES_PER_USE,
    )  # fmt: skip
    encryption_certificates = serializers.ListField(
        child=serializers.CharField(max_length=MAX_CERTIFICATE_CHARS, trim_whitespace=True),
        required=False, max_length=MAX_CERTIFICATES_PER_USE,
    )  # fmt: skip
    post_logout_redirect_uris = serializers.ListField(
        child=HttpsUrlField(),
        required=False, max_length=50,
    )  # fmt: skip
    grant_types = serializers.ListField(
        child=serializers.ChoiceField(choices=GrantType.choices), required=False, max_length=len(GrantType.values),
        help_text="authorization_code (required), optionally refresh_token.",
    )  # fmt: skip
    response_types = serializers.ListField(
        child=serializers.ChoiceField(choices=[("code", "code")]), required=False, max_length=1,
        help_text="Only code (the authorization code flow).",
    )  # fmt: skip
    scope = serializers.CharField(
        max_length=500, required=False, allow_blank=True,
        help_text="Space-separated scope values including openid (default: openid profile).",
    )  # fmt: skip
    requested_attributes = RequestedAttributeSerializer(many=True, required=False)
    # The model's URL fields, declared so the schema states the pattern members.uris enforces.
    logo_url = HttpsUrlField(required=False, allow_blank=True)
    information_url = HttpsUrlField(required=False, allow_blank=True)
    privacy_url = HttpsUrlField(required=False, allow_blank=True)
    jwks_uri = HttpsUrlField(required=False, allow_blank=True)

    class Meta:
        model = ServiceVersion
        fields = list(services.VERSION_FIELDS)
        extra_kwargs = {name: {"required": False} for name in services.VERSION_FIELDS}


class ServiceCreateSerializer(VersionWriteSerializer):
    provider = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    environment = serializers.ChoiceField(choices=Environment.choices)
    protocol = serializers.ChoiceField(choices=Protocol.choices)
    entity_id = EntityIdField(required=False, allow_blank=True)
    metadata = serializers.CharField(
        required=False, allow_blank=True, max_length=settings.TRUSTNET_METADATA_MAX_BYTES,
        help_text="SAML: the service provider's metadata XML; its entityID, endpoints and certificates are used.",
    )  # fmt: skip

    class Meta(VersionWriteSerializer.Meta):
        fields = ["provider", "environment", "protocol", "entity_id", "metadata", *services.VERSION_FIELDS]


class ServiceCreatedSerializer(ServiceSerializer):
    client_secret = serializers.CharField(
        allow_null=True,
        help_text="OIDC with client_secret_basic or client_secret_post: the client secret, shown this once only.",
    )

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "client_secret"]


def _version_data(validated: Mapping[str, Any]) -> dict[str, Any]:
    return {name: validated[name] for name in services.VERSION_FIELDS if name in validated}


# ---------------------------------------------------------------- viewsets


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = RegisterPagination
    parser_classes = [JSONParser]  # nested lists and objects: one body format, one schema
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        queryset = Organisation.objects.prefetch_related("contacts", "municipality_codes").order_by("id")
        return _scope(queryset, self.request.user, "pk")

    def _technical_object(self) -> Organisation:
        organisation = self.get_object()
        require_technical(self.request.user, organisation.pk)
        return organisation

    @extend_schema(request=SchoolImportSerializer, responses={200: SchoolImportResultSerializer})
    @action(detail=True, methods=["post"], url_path="schools/import", pagination_class=None)
    def schools_import(self, request: Request, pk: str | None = None) -> Response:
        """Create or update the home organisation's schools from CSV; any bad row imports nothing."""
        organisation = self._technical_object()
        body = SchoolImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors({"file": "csv"}):
            count = services.schools_import(organisation=organisation, by=request.user, text=body.validated_data["csv"])
        return Response({"imported": count})

    @extend_schema(request=AllowedServicesSerializer, responses={200: AllowedServicesSerializer})
    @action(detail=True, methods=["put"], url_path="allowed-services", pagination_class=None)
    def allowed_services(self, request: Request, pk: str | None = None) -> Response:
        """Replace the services the home organisation's users may use (an empty list allows all)."""
        organisation = self._technical_object()
        body = AllowedServicesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = sorted(set(body.validated_data["services"]))
        chosen = list(Service.objects.filter(pk__in=ids, live_version__isnull=False))
        unknown = sorted(set(ids) - {s.pk for s in chosen})
        if unknown:
            raise exceptions.ValidationError(
                {"services": [_("No live service with id %(ids)s.") % {"ids": ", ".join(map(str, unknown[:20]))}]}
            )
        with service_errors():
            services.allowed_services_set(organisation=organisation, by=request.user, services=chosen)
        return Response({"services": ids})


class SchoolViewSet(viewsets.ModelViewSet):
    pagination_class = RegisterPagination
    parser_classes = [JSONParser]  # nested lists and objects: one body format, one schema
    serializer_class = SchoolSerializer
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[School]:
        return _scope(School.objects.prefetch_related("offices").order_by("id"), self.request.user, "organisation_id")

    def _save(self, request: Request, school: School | None) -> School:
        body = SchoolWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if school is not None and data["organisation"] != school.organisation_id:
            raise exceptions.ValidationError({"organisation": [_("A school cannot move to another organisation.")]})
        organisation = technical_organisation(request.user, data["organisation"])
        with service_errors():
            school = services.school_save(
                organisation=organisation, by=request.user, code=data["code"], name=data["name"],
                school_type=data["school_type"], oid=data["oid"], school=school,
                offices=None if "offices" not in data else [(o["oid"], o["name"]) for o in data["offices"]],
            )  # fmt: skip
            return School.objects.prefetch_related("offices").get(pk=school.pk)

    @extend_schema(request=SchoolWriteSerializer, responses={201: SchoolSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(SchoolSerializer(self._save(request, None)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SchoolWriteSerializer, responses={200: SchoolSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        school = self.get_object()
        require_technical(request.user, school.organisation_id)
        return Response(SchoolSerializer(self._save(request, school)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        school = self.get_object()
        require_technical(request.user, school.organisation_id)
        with service_errors():
            services.school_delete(school=school, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginSourceViewSet(viewsets.ModelViewSet):
    pagination_class = RegisterPagination
    parser_classes = [JSONParser]  # nested lists and objects: one body format, one schema
    serializer_class = LoginSourceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[LoginSource]:
        queryset = LoginSource.objects.prefetch_related("schools").order_by("id")
        return _scope(queryset, self.request.user, "organisation_id")

    def _save(self, request: Request, source: LoginSource | None) -> LoginSource:
        body = LoginSourceWriteSerializer(data=request.data, partial=source is not None)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        organisation_id = data.pop("organisation", None)
        if source is not None and organisation_id not in (None, source.organisation_id):
            raise exceptions.ValidationError(
                {"organisation": [_("A login source cannot move to another organisation.")]}
            )
        organisation = technical_organisation(request.user, organisation_id or source.organisation_id)
        codes = data.pop("schools", None)
        if codes is None:
            schools = list(source.schools.all()) if source else []
        else:
            schools = list(School.objects.filter(organisation=organisation, code__in=set(codes)))
            unknown = sorted(set(codes) - {s.code for s in schools})
            if unknown:
                message = _("Not a school of this organisation: %(codes)s") % {"codes": ", ".join(unknown[:20])}
                raise exceptions.ValidationError({"schools": [message]})
        with transaction.atomic(), service_errors():
            saved = services.login_source_save(
                organisation=organisation, by=request.user, data=data, schools=schools, login_source=source
            )
        return self.get_queryset().get(pk=saved.pk)

    @extend_schema(request=LoginSourceWriteSerializer, responses={201: LoginSourceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(LoginSourceSerializer(self._save(request, None)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LoginSourceWriteSerializer, responses={200: LoginSourceSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = self.get_object()
        require_technical(request.user, source.organisation_id)
        return Response(LoginSourceSerializer(self._save(request, source)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = self.get_object()
        require_technical(request.user, source.organisation_id)
        services.login_source_delete(login_source=source, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Login sources: attribute mapping (issue 14)
    @extend_schema(
        request=LoginSourceMappingSerializer,
        responses={200: LoginSourceSerializer},
        description="Replace the attribute mapping of a Google, ADFS, SAML, Entra ID or OIDC login source. "
        "Errors are keyed by MPASSid attribute; Wilma and Opinsys sources have fixed mappings and are refused.",
    )
    # Only this route takes PUT: the source itself is changed by PATCH through the service.
    @action(detail=True, methods=["put"], url_path="mapping", pagination_class=None,
            http_method_names=["put", "options"])  # fmt: skip
    def mapping(self, request: Request, pk: str | None = None) -> Response:
        source = self.get_object()
        require_technical(request.user, source.organisation_id)
        with service_errors():
            services.login_source_mapping_set(login_source=source, mapping=request.data, by=request.user)
        return Response(LoginSourceSerializer(self.get_queryset().get(pk=source.pk)).data)

    # Login sources from test to production (issue 14)
    @extend_schema(request=None, responses={201: LoginSourceSerializer})
    @action(detail=True, methods=["post"], pagination_class=None)
    def promote(self, request: Request, pk: str | None = None) -> Response:
        """Ask for this test login source in production: a production copy with all its settings,
        waiting for staff review (the proxy does not use it before). Needs the organisation's
        membership agreement in force and, for a source with metadata or a discovery document, a
        check that found it in order; the test source stays."""
        source = self.get_object()
        require_technical(request.user, source.organisation_id)
        with service_errors():
            copy = services.login_source_promote(login_source=source, by=request.user)
        return Response(LoginSourceSerializer(self.get_queryset().get(pk=copy.pk)).data, status=status.HTTP_201_CREATED)


class ServiceViewSet(viewsets.ModelViewSet):
    pagination_class = RegisterPagination
    parser_classes = [JSONParser]  # nested lists and objects: one body format, one schema
    serializer_class = ServiceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Service]:
        queryset = (
            Service.objects.select_related("live_version")
            .prefetch_related(
                Prefetch("versions", queryset=ServiceVersion.objects.filter(status="pending"), to_attr="pending")
            )
            .order_by("id")
        )
        return _scope(queryset, self.request.user, "provider_id")

    @extend_schema(request=ServiceCreateSerializer, responses={201: ServiceCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register a service. Its first version waits for review unless the review policy approves it."""
        body = ServiceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        validated = body.validated_data
        provider = technical_organisation(request.user, validated["provider"], field="provider")
        data = _version_data(validated)
        entity_id = validated.get("entity_id", "")
        with transaction.atomic(), service_errors():
            if validated["protocol"] == Protocol.SAML and validated.get("metadata"):
                metadata = metadata_parse(validated["metadata"].encode())
                # As in the UI: fields given explicitly win over the metadata's names, URLs and
                # AuthnRequestsSigned / WantAssertionsSigned, but endpoints and certificates always
                # come from the metadata.
                data = {**services.version_data_from_metadata(metadata), **data}
                data.update(
                    acs_endpoints=metadata.acs_endpoints, signing_certificates=metadata.signing_certificates,
                    encryption_certificates=metadata.encryption_certificates,
                )  # fmt: skip
                if entity_id and entity_id != metadata.entity_id:
                    raise DjangoValidationError({"entity_id": _("The entityID differs from the one in the metadata.")})
                entity_id = metadata.entity_id
            created = services.service_create(
                provider=provider, by=request.user, environment=validated["environment"],
                protocol=validated["protocol"], data=data, entity_id=entity_id,
            )  # fmt: skip
        service = self.get_queryset().get(pk=created.service.pk)
        service.client_secret = created.client_secret
        return Response(ServiceCreatedSerializer(service).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VersionWriteSerializer, responses={201: ServiceCreatedSerializer})
    @action(detail=True, methods=["post"], pagination_class=None)
    def promote(self, request: Request, pk: str | None = None) -> Response:
        """Ask for this test service in production: a new production service with the test service's
        approved settings, changed by the fields given, checked by the production rules and waiting
        for staff review. Needs the provider's membership agreement in force; the test service stays."""
        service = self.get_object()
        require_technical(request.user, service.provider_id)
        body = VersionWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with service_errors():
            created = services.service_promote(
                service=service, by=request.user, data=_version_data(body.validated_data)
            )
        promoted = self.get_queryset().get(pk=created.service.pk)
        promoted.client_secret = created.client_secret
        return Response(ServiceCreatedSerializer(promoted).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VersionWriteSerializer, responses={200: ServiceSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit a new version with the given fields changed; it waits for review unless the review
        policy approves it. The answer shows the live version and the pending one."""
        service = self.get_object()
        require_technical(request.user, service.provider_id)
        body = VersionWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.service_change(service=service, by=request.user, data=_version_data(body.validated_data))
        return Response(ServiceSerializer(self.get_queryset().get(pk=service.pk)).data)
