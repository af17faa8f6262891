"""REST API of the register (DRF). Token or session auth; a member's user sees only their own
organisations' data, staff see everything. Read-only: changes go through the UI's reviewed flow."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.pagination import LimitOffsetPagination

from members.access import visible_organisation_ids
from members.models import Contact, LoginSource, Organisation, School, Service, ServiceVersion


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
            "is_service_provider", "street_address", "postal_code", "city", "municipality_codes", "contacts",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_municipality_codes(self, organisation: Organisation) -> list[str]:
        return [code.code for code in organisation.municipality_codes.all()]


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "organisation", "code", "name", "school_type"]


class LoginSourceSerializer(serializers.ModelSerializer):
    schools = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = LoginSource
        fields = [
            "id", "organisation", "kind", "name", "hostname", "entity_id", "metadata_url", "tenant_id", "issuer",
            "schools", "metadata_checked_at", "metadata_ok", "metadata_error", "metadata_certificate_expires_at",
        ]  # fmt: skip


class ServiceVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceVersion
        fields = [
            "id", "status", "name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en",
            "logo_url", "logo_width", "logo_height", "information_url", "privacy_url", "acs_endpoints",
            "signing_certificate", "encryption_certificate", "name_id_format", "redirect_uris", "auth_method",
            "jwks_uri", "pkce_required", "requested_attributes", "submitted_at", "reviewed_at", "rejection_reason",
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
        ]

    @extend_schema_field(ServiceVersionSerializer(allow_null=True))
    def get_pending_version(self, service: Service) -> dict | None:
        pending = getattr(service, "pending", [])
        return ServiceVersionSerializer(pending[0]).data if pending else None


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = RegisterPagination
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        queryset = Organisation.objects.prefetch_related("contacts", "municipality_codes").order_by("id")
        return _scope(queryset, self.request.user, "pk")


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = RegisterPagination
    serializer_class = SchoolSerializer

    def get_queryset(self) -> QuerySet[School]:
        return _scope(School.objects.order_by("id"), self.request.user, "organisation_id")


class LoginSourceViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = RegisterPagination
    serializer_class = LoginSourceSerializer

    def get_queryset(self) -> QuerySet[LoginSource]:
        queryset = LoginSource.objects.prefetch_related("schools").order_by("id")
        return _scope(queryset, self.request.user, "organisation_id")


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = RegisterPagination
    serializer_class = ServiceSerializer

    def get_queryset(self) -> QuerySet[Service]:
        queryset = (
            Service.objects.select_related("live_version")
            .prefetch_related(
                Prefetch("versions", queryset=ServiceVersion.objects.filter(status="pending"), to_attr="pending")
            )
            .order_by("id")
        )
        return _scope(queryset, self.request.user, "provider_id")
