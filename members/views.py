"""Register pages: staff lists and review, member self-service, the public register.

Thin: each view fetches its object through members/access.py (404 for anything the user may not
see), calls one service or selector and renders.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import member_login_required, operator_required
from accounts.models import User
from csv_files import csv_response
from members import organisation_sync, selectors, services
from members.access import (
    can_edit_organisation,
    can_edit_technical,
    get_organisation_for_user,
    get_service_for_user,
    has_role,
    visible_organisation_ids,
)
from members.attribute_mapping import is_fixed
from members.certificates import CertificateInfo, certificate_describe
from members.forms import (
    AllowedServicesForm,
    BulkApproveForm,
    InvitationForm,
    InvitationSignupForm,
    LoginSourceForm,
    LoginSourceLoginPageForm,
    LoginSourceMappingForm,
    MemberOrganisationForm,
    OfficeForm,
    OrganisationFilterForm,
    OrganisationForm,
    RejectForm,
    ReviewPolicyForm,
    SchoolForm,
    SchoolImportForm,
    SecretRotateForm,
    ServiceCreateForm,
    ServiceFilterForm,
    ServiceVersionForm,
    StaffInvitationForm,
    WithdrawForm,
    contact_forms,
)
from members.logos import CONTENT_TYPES, logo_response_headers
from members.metadata import metadata_parse
from members.metadata_fetch import metadata_fetch
from members.models import (
    SECRET_AUTH_METHODS,
    Environment,
    Invitation,
    LoginSource,
    Office,
    Organisation,
    OrganisationRole,
    Protocol,
    ReviewPolicy,
    School,
    Service,
    ServiceVersion,
    VersionStatus,
)
from members.organisation_register import RegisterError
from members.secrets import secret_decrypt, secret_encrypt
from members.selectors import production_checklist, service_stage
from members.uris import uri_warnings, version_uris
from widgets.breadcrumbs import Crumb, breadcrumb_trail
from widgets.list_sorting import list_sorting

SECRET_SESSION_KEY = "members_new_client_secret"  # noqa: S105 (a session key name, not a secret)


def _secret_remember(request: HttpRequest, service_pk: int, secret: str) -> None:
    """Keep a new client secret until the service page shows it once.

    Sessions live in the database, so only the encrypted form goes there: a copy of the session
    table (backup, dump) must not hold plain client secrets.
    """
    request.session[SECRET_SESSION_KEY] = {"service": service_pk, "secret": secret_encrypt(secret)}


def _secret_take(request: HttpRequest, service_pk: int) -> str | None:
    """The new client secret of this service, removed from the session as it is shown."""
    remembered = request.session.get(SECRET_SESSION_KEY)
    if not remembered or remembered.get("service") != service_pk:
        return None
    request.session.pop(SECRET_SESSION_KEY)
    return secret_decrypt(remembered["secret"])


# The services name a version's fields; the service form enters the lists as text.
SERVICE_FORM_FIELDS = {
    "acs_endpoints": "acs_text",
    "redirect_uris": "redirect_uris_text",
    "post_logout_redirect_uris": "post_logout_redirect_uris_text",
    "hostnames": "hostnames_text",
    "grant_types": "refresh_tokens",
}


def _errors_into(form: Form, error: ValidationError) -> None:
    """A service's refusal shown at the form field it is about; only what concerns no field stays
    a problem of the whole form (the error summary)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            if SERVICE_FORM_FIELDS.get(name) in form.fields:
                name = SERVICE_FORM_FIELDS[name]
            elif name == "metadata" and "metadata_file" in form.fields:
                # The metadata came from the uploaded file if there is one, else from the URL.
                name = "metadata_file" if form.cleaned_data.get("metadata_file") else "metadata_url"
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, 50).get_page(request.GET.get("page"))


def _organisation_trail(request: HttpRequest, organisation: Organisation, *crumbs: tuple[str, str]) -> list[Crumb]:
    """Breadcrumbs to a page of `organisation` (itself, or `crumbs` below it): staff come through the
    organisation list, a member's user straight from their dashboard."""
    through_list = [(_("Organisations"), reverse("members:organisation-list"))] if request.user.is_staff else []
    detail = (organisation.name, reverse("members:organisation-detail", args=[organisation.pk]))
    return breadcrumb_trail(request, *through_list, detail, *crumbs)


def _login_source_trail(
    request: HttpRequest, organisation: Organisation, source: LoginSource, *crumbs: tuple[str, str]
) -> list[Crumb]:
    """Breadcrumbs to a login source's page, or to `crumbs` below it."""
    detail = (source.name, reverse("members:login-source-detail", args=[organisation.pk, source.pk]))
    return _organisation_trail(request, organisation, detail, *crumbs)


# ---------------------------------------------------------------- organisations


@member_login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Staff see every organisation; a member's user sees their own."""
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sorting = list_sorting(request, selectors.organisation_sorts(), "name")
    organisations = selectors.organisation_list(
        search=filters.get("q", ""),
        kind=filters.get("kind", ""),
        role=filters.get("role", ""),
        ids=visible_organisation_ids(request.user),
        order_by=sorting.order_by,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/organisation_list.html",
        {"form": form, "page": _page(request, organisations), "query": query.urlencode(), "sorting": sorting},
    )


@operator_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_save(
                by=request.user, data=form.cleaned_data, municipality_codes=form.cleaned_data["municipality_codes"]
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Organisation added."))
            return redirect("members:organisation-detail", pk=organisation.pk)
    return render(request, "members/form.html", {"form": form, "title": _("New organisation")})


@member_login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk)
    context = {
        "organisation": organisation,
        "contacts": organisation.contacts.all(),
        "codes": organisation.municipality_codes.all(),
        "schools": organisation.schools.prefetch_related("offices"),
        "login_sources": selectors.login_source_overview(organisation_ids=[organisation.pk]),
        "services": selectors.service_list(provider_ids=[organisation.pk]),
        "allowed_services": organisation.allowed_services.select_related("live_version", "provider"),
        "can_edit": can_edit_organisation(request.user, organisation.pk),
        "can_edit_technical": can_edit_technical(request.user, organisation.pk),
        "breadcrumbs": _organisation_trail(request, organisation),
    }
    return render(request, "members/organisation_detail.html", context)


@member_login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="organisation")
    form_class = OrganisationForm if request.user.is_staff else MemberOrganisationForm
    form = form_class(request.POST or None, instance=organisation)
    contacts = contact_forms(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _k, _l, f in contacts):
        try:
            with transaction.atomic():  # the organisation and its contacts together, or nothing
                services.organisation_save(
                    by=request.user,
                    organisation=organisation,
                    data=form.cleaned_data,
                    municipality_codes=form.cleaned_data["municipality_codes"],
                )
                for kind, _label, contact_form in contacts:
                    if contact_form.cleaned_data.get("name"):
                        services.contact_save(
                            organisation=organisation, by=request.user, kind=kind, **contact_form.cleaned_data
                        )
                    else:
                        # Name and email cleared (the form refuses one without the other): remove it.
                        services.contact_delete(organisation=organisation, by=request.user, kind=kind)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("members:organisation-detail", pk=organisation.pk)
    return render(
        request,
        "members/organisation_edit.html",
        {
            "form": form,
            "contacts": contacts,
            "organisation": organisation,
            "breadcrumbs": _organisation_trail(request, organisation, (_("Edit"), request.path)),
        },
    )


# ---------------------------------------------------------------- schools and login sources


@member_login_required
def school_edit(request: HttpRequest, pk: int, school_pk: int | None = None) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    school = get_object_or_404(School, pk=school_pk, organisation=organisation) if school_pk else None
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_save(organisation=organisation, by=request.user, school=school, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("School saved."))
            return redirect("members:organisation-detail", pk=organisation.pk)
    return _school_page(request, organisation, school, form, OfficeForm(prefix="office"))


def _school_page(
    request: HttpRequest, organisation: Organisation, school: School | None, form: Form, office_form: Form
) -> HttpResponse:
    """The school's page: its own form and, once it exists, its offices with add and remove."""
    here = (str(school) if school else _("School"), request.path)
    context = {
        "form": form, "title": _("School"), "organisation": organisation, "school": school,
        "offices": school.offices.all() if school else [], "office_form": office_form,
        "breadcrumbs": _organisation_trail(request, organisation, here),
    }  # fmt: skip
    return render(request, "members/school_form.html", context)


@require_POST
@member_login_required
def office_add(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    school = get_object_or_404(School, pk=school_pk, organisation=organisation)
    office_form = OfficeForm(request.POST, prefix="office")
    if office_form.is_valid():
        try:
            services.office_save(school=school, by=request.user, **office_form.cleaned_data)
        except ValidationError as error:
            _errors_into(office_form, error)
        else:
            messages.success(request, _("Office added."))
            return redirect("members:school-edit", pk=organisation.pk, school_pk=school.pk)
    return _school_page(request, organisation, school, SchoolForm(instance=school), office_form)


@require_POST
@member_login_required
def office_delete(request: HttpRequest, pk: int, school_pk: int, office_pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    office = get_object_or_404(Office, pk=office_pk, school_id=school_pk, school__organisation=organisation)
    services.office_delete(office=office, by=request.user)
    messages.success(request, _("Office removed."))
    return redirect("members:school-edit", pk=organisation.pk, school_pk=school_pk)


@require_POST
@member_login_required
def school_delete(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    school = get_object_or_404(School, pk=school_pk, organisation=organisation)
    try:
        services.school_delete(school=school, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("School removed."))
    return redirect("members:organisation-detail", pk=organisation.pk)


@member_login_required
def school_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → preview with row-level errors → confirm. Nothing is saved if any row is bad."""
    organisation = get_organisation_for_user(request, pk, edit="technical")
    form = SchoolImportForm(request.POST or None, request.FILES or None)
    rows = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if "confirm" in request.POST:
                count = services.schools_import(organisation=organisation, by=request.user, text=text)
                messages.success(request, _("%(count)s schools imported.") % {"count": count})
                return redirect("members:organisation-detail", pk=organisation.pk)
            rows = services.schools_import_preview(organisation=organisation, text=text)
        except ValidationError as error:
            # A file refused as a whole (no schools, too many, unreadable): the message stays on
            # the form shown, so it is not lost with a fresh one.
            _errors_into(form, error)
    has_errors = bool(rows) and any(row.errors for row in rows)
    if rows and not has_errors:
        # The checked text goes back with the confirm button; a file with errors is uploaded again.
        form = SchoolImportForm(initial={"text": text})
    elif rows:
        form = SchoolImportForm()
    return render(
        request,
        "members/school_import.html",
        {
            "form": form,
            "rows": rows,
            "has_errors": has_errors,
            "organisation": organisation,
            "breadcrumbs": _organisation_trail(request, organisation, (_("Import schools"), request.path)),
        },
    )


@member_login_required
def school_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's schools as CSV in the import's columns, for whoever may see them."""
    organisation = get_organisation_for_user(request, pk)
    rows = ([s.code, s.name, s.school_type, s.oid] for s in selectors.school_list(organisation=organisation))
    return csv_response(filename=f"schools-{organisation.pk}.csv", header=services.SCHOOL_CSV_HEADER, rows=rows)


@member_login_required
def login_source_edit(request: HttpRequest, pk: int, source_pk: int | None = None) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    source = get_object_or_404(LoginSource, pk=source_pk, organisation=organisation) if source_pk else None
    form = LoginSourceForm(request.POST or None, instance=source, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.login_source_save(
                organisation=organisation,
                by=request.user,
                login_source=source,
                data=form.cleaned_data,
                schools=form.cleaned_data["schools"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Login source saved."))
            return redirect("members:login-source-detail", pk=organisation.pk, source_pk=saved.pk)
    here = (source.name, request.path) if source else (_("New login source"), request.path)
    return render(
        request,
        "members/login_source_form.html",
        {
            "form": form,
            "title": _("Login source"),
            "organisation": organisation,
            "source": source,
            "breadcrumbs": _organisation_trail(request, organisation, here),
        },
    )


@require_POST
@member_login_required
def login_source_metadata_check(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """The "check metadata" button: queue the check (a Celery task, with the fetch's timeout)."""
    from members.tasks import login_source_metadata_check as check_task

    organisation = get_organisation_for_user(request, pk, edit="technical")
    source = get_object_or_404(LoginSource, pk=source_pk, organisation=organisation)
    if not source.is_checked_remotely:
        raise Http404
    check_task.delay_on_commit(source.pk, request.user.pk)
    messages.success(request, _("The metadata check has started; its result is shown below when it is done."))
    return redirect("members:login-source-detail", pk=organisation.pk, source_pk=source.pk)


@require_POST
@member_login_required
def login_source_delete(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    source = get_object_or_404(LoginSource, pk=source_pk, organisation=organisation)
    services.login_source_delete(login_source=source, by=request.user)
    messages.success(request, _("Login source removed."))
    return redirect("members:organisation-detail", pk=organisation.pk)


@member_login_required
def allowed_services(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    form = AllowedServicesForm(
        request.POST or None, organisation=organisation, initial={"services": organisation.allowed_services.all()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.allowed_services_set(
                organisation=organisation, by=request.user, services=form.cleaned_data["services"]
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Allowed services saved."))
            return redirect("members:organisation-detail", pk=organisation.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "title": _("Allowed services"),
            "organisation": organisation,
            "breadcrumbs": _organisation_trail(request, organisation, (_("Allowed services"), request.path)),
        },
    )


# ---------------------------------------------------------------- services


@member_login_required
def service_list(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sorting = list_sorting(request, selectors.service_sorts(), "provider")
    items = selectors.service_list(
        order_by=sorting.order_by,
        search=filters.get("q", ""),
        environment=filters.get("environment", ""),
        protocol=filters.get("protocol", ""),
        state=filters.get("state", ""),
        expiring=bool(filters.get("expiring")),
        provider_ids=visible_organisation_ids(request.user),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/service_list.html",
        {
            "form": form,
            "page": _page(request, items),
            "query": query.urlencode(),
            "horizon": selectors.expiry_horizon(),
            "sorting": sorting,
        },
    )


def _apply_metadata(form: ServiceVersionForm, data: dict[str, Any]) -> str:
    """Merge uploaded or fetched metadata into `data`; returns its entityID ("" without metadata)."""
    upload = form.cleaned_data.get("metadata_file")
    url = form.cleaned_data.get("metadata_url")
    if not upload and not url:
        return ""
    raw = upload.read(settings.TRUSTNET_METADATA_MAX_BYTES + 1) if upload else metadata_fetch(url)
    metadata = metadata_parse(raw)
    data.update(
        {k: v for k, v in services.version_data_from_metadata(metadata).items() if not form.cleaned_data.get(k)}
    )
    data.update(
        {
            "acs_endpoints": metadata.acs_endpoints,
            "signing_certificates": metadata.signing_certificates,
            "encryption_certificates": metadata.encryption_certificates,
            # A ticked box cannot be told from an untouched one: either the form or the metadata
            # saying so is enough; a later edit can untick it.
            "authn_requests_signed": metadata.authn_requests_signed or bool(data.get("authn_requests_signed")),
            "want_assertions_signed": metadata.want_assertions_signed or bool(data.get("want_assertions_signed")),
        }
    )
    return metadata.entity_id


@member_login_required
def service_create(request: HttpRequest, pk: int, protocol: str) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, edit="technical")
    if protocol not in Protocol.values:
        raise Http404
    form = ServiceCreateForm(request.POST or None, request.FILES or None, protocol=protocol)
    if request.method == "POST" and form.is_valid():
        data = form.version_data()
        try:
            entity_id = form.cleaned_data.get("entity_id", "")
            if protocol == Protocol.SAML:
                from_metadata = _apply_metadata(form, data)
                if from_metadata and entity_id and entity_id != from_metadata:
                    raise ValidationError({"entity_id": _("The entityID differs from the one in the metadata.")})
                entity_id = from_metadata or entity_id
            created = services.service_create(
                provider=organisation,
                by=request.user,
                environment=form.cleaned_data["environment"],
                protocol=protocol,
                data=data,
                entity_id=entity_id,
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            if created.client_secret:
                _secret_remember(request, created.service.pk, created.client_secret)
            messages.success(request, _("Service registered."))
            _warn_uris(request, created.service, created.version)
            return redirect("members:service-detail", pk=created.service.pk)
    return render(
        request, "members/service_form.html", {"form": form, "organisation": organisation, "protocol": protocol}
    )


def _version_uri_warnings(service: Service, version: ServiceVersion | None) -> list[str]:
    if version is None:
        return []
    return uri_warnings(version_uris(entity_id=service.entity_id, data=vars(version)))


def _warn_uris(request: HttpRequest, service: Service, version: ServiceVersion) -> None:
    """Tell the member at once about addresses a reviewer will be warned about too."""
    for warning in _version_uri_warnings(service, version):
        messages.warning(request, warning)


def _described(certificates: list[str]) -> list[CertificateInfo]:
    """Each stored certificate's subject, expiry and fingerprint, for the service page."""
    return [info for info in map(certificate_describe, certificates) if info is not None]


@member_login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_page(request, get_service_for_user(request, pk))


# Both forms on the service page have a "reason": ids of their own, so each label and error finds its field.
REJECT_FORM_ID, WITHDRAW_FORM_ID = "reject_%s", "withdraw_%s"


def _service_page(
    request: HttpRequest,
    service: Service,
    *,
    reject_form: RejectForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    rotate_form: SecretRotateForm | None = None,
) -> HttpResponse:
    """The service's page; a form of it that was refused comes back with its errors at its fields."""
    versions = list(service.versions.select_related("submitted_by", "reviewed_by")[:20])
    pending = next((v for v in versions if v.status == VersionStatus.PENDING), None)
    latest_rejected = next((v for v in versions if v.status == VersionStatus.REJECTED), None)
    # The secret is shown once, right after it was generated, then forgotten.
    secret = _secret_take(request, service.pk)
    shown = pending or service.live_version
    signing = _described(shown.signing_certificates) if shown else []
    encryption = _described(shown.encryption_certificates) if shown else []
    # What a reviewer must look at: the fields the pending version changes compared with the live one.
    changed = []
    if pending and service.live_version:
        changed = [
            ServiceVersion._meta.get_field(name).verbose_name
            for name in services.VERSION_FIELDS
            if getattr(pending, name) != getattr(service.live_version, name)
        ]
    name = shown.name if shown else str(service)
    return render(
        request,
        "members/service_detail.html",
        {
            "breadcrumbs": _organisation_trail(request, service.provider, (name, request.path)),
            "service": service,
            "live": service.live_version,
            "pending": pending,
            "latest_rejected": latest_rejected,
            "changed": changed,
            "versions": versions,
            "secret": secret,
            "signing": signing,
            "encryption": encryption,
            "weak_signature": any(info.weak_signature for info in [*signing, *encryption]),
            "can_edit": can_edit_technical(request.user, service.provider_id),
            "reject_form": reject_form or RejectForm(auto_id=REJECT_FORM_ID),
            "withdraw_form": withdraw_form or WithdrawForm(auto_id=WITHDRAW_FORM_ID),
            "uri_warnings": _version_uri_warnings(service, shown),
            "rotate_form": rotate_form or SecretRotateForm(),
            # A secret-based client without a stored secret cannot be given to the proxy.
            "secret_missing": service.protocol == Protocol.OIDC
            and shown is not None
            and shown.auth_method in SECRET_AUTH_METHODS
            and not service.client_secret_encrypted,
            "previous_secrets": service.previous_secrets.filter(expires_at__gt=timezone.now())
            if service.protocol == Protocol.OIDC
            else [],
            "stage": service_stage(service),
            "checklist": production_checklist(service, shown),
            "promoted_to": Service.objects.filter(promoted_from=service).first(),
            "can_promote": service.environment == Environment.TEST
            and service.live_version_id is not None
            and can_edit_technical(request.user, service.provider_id),
        },
    )


@member_login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request, pk, edit=True)
    base = service.versions.filter(status=VersionStatus.PENDING).first() or service.live_version
    if base is None:
        base = service.versions.first()
    form = ServiceVersionForm(request.POST or None, request.FILES or None, protocol=service.protocol, instance=base)
    if request.method == "POST" and form.is_valid():
        data = form.version_data()
        try:
            if service.protocol == Protocol.SAML:
                entity_id = _apply_metadata(form, data)
                if entity_id and entity_id != service.entity_id:
                    raise ValidationError(
                        {"metadata_url": _("The metadata is for another entityID; register it as a new service.")}
                    )
            version = services.service_change(service=service, by=request.user, data=data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            if version.status == VersionStatus.APPROVED:
                messages.success(request, _("Change saved and live."))
            else:
                messages.success(request, _("Change sent for review. The approved version stays live until then."))
            _warn_uris(request, service, version)
            return redirect("members:service-detail", pk=service.pk)
    return render(
        request,
        "members/service_form.html",
        {
            "form": form,
            "organisation": service.provider,
            "protocol": service.protocol,
            "service": service,
            "breadcrumbs": _organisation_trail(
                request,
                service.provider,
                (base.name if base else str(service), reverse("members:service-detail", args=[service.pk])),
                (_("Change service"), request.path),
            ),
        },
    )


@member_login_required
def service_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a test service in production: its approved settings carried over into the form,
    changed where production needs something else, then reviewed by staff (DESIGN section 2)."""
    service = get_service_for_user(request, pk, edit=True)
    if service.environment != Environment.TEST or service.live_version is None:
        raise Http404
    form = ServiceVersionForm(
        request.POST or None, request.FILES or None, protocol=service.protocol, instance=service.live_version
    )
    if request.method == "POST" and form.is_valid():
        data = form.version_data()
        try:
            if service.protocol == Protocol.SAML:
                entity_id = _apply_metadata(form, data)
                if entity_id and entity_id != service.entity_id:
                    raise ValidationError(
                        {"metadata_url": _("The metadata is for another entityID; register it as a new service.")}
                    )
            created = services.service_promote(service=service, by=request.user, data=data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            if created.client_secret:
                _secret_remember(request, created.service.pk, created.client_secret)
            messages.success(
                request,
                _("Promotion to production requested. Staff review it; the test service stays as it is."),
            )
            return redirect("members:service-detail", pk=created.service.pk)
    return render(
        request,
        "members/service_form.html",
        {
            "form": form, "organisation": service.provider, "protocol": service.protocol, "service": service,
            "promoting": True, "checklist": production_checklist(service, service.live_version),
        },
    )  # fmt: skip


@require_POST
@member_login_required
def service_secret_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request, pk, edit=True)
    form = SecretRotateForm(request.POST)
    if not form.is_valid():
        return _service_page(request, service, rotate_form=form)
    overlap = form.cleaned_data["overlap_days"]
    try:
        secret = services.oidc_secret_rotate(service=service, by=request.user, overlap_days=overlap)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _secret_remember(request, service.pk, secret)
        if overlap:
            messages.success(
                request,
                _("A new client secret was generated. The old one keeps working for %(days)s days.")
                % {"days": overlap},
            )
        else:
            messages.success(request, _("A new client secret was generated. The old one no longer works."))
    return redirect("members:service-detail", pk=service.pk)


# ---------------------------------------------------------------- organisation register sync (staff)


@operator_required
def organisation_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview what the national organisation register would change; POST confirms exactly the
    previewed changes (DESIGN section 2). A register problem is shown, and nothing changes."""
    organisation = get_object_or_404(Organisation, pk=pk)
    context: dict[str, Any] = {"organisation": organisation, "preview": None, "register_error": "", "outdated": False}
    try:
        if request.method == "POST":
            try:
                organisation_sync.sync_apply(
                    organisation=organisation, fingerprint=request.POST.get("fingerprint", ""), by=request.user
                )
            except organisation_sync.PreviewOutdated as outdated:
                context.update(preview=outdated.preview, outdated=True)
            else:
                messages.success(request, _("The changes from the organisation register were applied."))
                return redirect("members:organisation-detail", pk=organisation.pk)
        else:
            context["preview"] = organisation_sync.sync_preview(organisation=organisation)
    except RegisterError as error:
        context["register_error"] = str(error)
    except ValidationError as error:
        context["register_error"] = _("The changes could not be applied: %(problem)s") % {
            "problem": " ".join(error.messages)
        }
    return render(request, "members/organisation_register.html", context)


# ---------------------------------------------------------------- review (operator staff)


def _review_queue_page(
    request: HttpRequest, bulk_form: BulkApproveForm | None = None, status: int = 200
) -> HttpResponse:
    sorting = list_sorting(request, selectors.review_sorts(), "submitted")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/review_queue.html",
        {
            "page": _page(request, selectors.pending_versions(order_by=sorting.order_by)),
            "policy": ReviewPolicy.current(),
            "login_source_promotions": selectors.pending_login_source_promotions(),
            "sorting": sorting,
            "query": query.urlencode(),
            "bulk_form": bulk_form,
        },
        status=status,
    )


@operator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return _review_queue_page(request)


@require_POST
@operator_required
def review_approve_selected(request: HttpRequest) -> HttpResponse:
    """Approve the versions ticked in the review queue: first a page listing what will be approved,
    then, once confirmed, each through the same approval as one approved from its service page."""
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        return _review_queue_page(request, bulk_form=form, status=400)
    ids = form.cleaned_data["versions"]
    if request.POST.get("confirmed") != "yes":
        versions = selectors.versions_by_id(ids)
        found = {version.pk for version in versions}
        return render(
            request,
            "members/review_approve_selected.html",
            {
                "to_approve": [v for v in versions if v.status == VersionStatus.PENDING],
                "not_waiting": [v for v in versions if v.status != VersionStatus.PENDING],
                "missing_count": sum(1 for pk in ids if pk not in found),
            },
        )
    outcomes = services.service_approve_each(version_ids=ids, by=request.user)
    approved = [outcome.version.name for outcome in outcomes if outcome.approved]
    if approved:
        messages.success(
            request,
            ngettext("Approved %(count)s change: %(names)s.", "Approved %(count)s changes: %(names)s.", len(approved))
            % {"count": len(approved), "names": ", ".join(approved)},
        )
    for outcome in outcomes:
        if outcome.approved:
            continue
        if outcome.version is None:
            messages.error(
                request, _("One selected change was not approved: %(problem)s") % {"problem": outcome.problem}
            )
        else:
            messages.error(
                request,
                _("%(service)s (%(provider)s) was not approved: %(problem)s")
                % {
                    "service": outcome.version.name,
                    "provider": outcome.version.service.provider.name,
                    "problem": outcome.problem,
                },
            )
    return redirect("members:review-queue")


@require_POST
@operator_required
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ServiceVersion, pk=pk)
    try:
        services.service_approve(version=version, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Approved. The change is live."))
    return redirect("members:service-detail", pk=version.service_id)


@require_POST
@operator_required
def version_reject(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ServiceVersion, pk=pk)
    form = RejectForm(request.POST, auto_id=REJECT_FORM_ID)
    if not form.is_valid():  # no reason: said at the field
        return _service_page(request, version.service, reject_form=form)
    try:
        services.service_reject(version=version, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):  # about the reason: shown at the field
            _errors_into(form, error)
            return _service_page(request, version.service, reject_form=form)
        messages.error(request, " ".join(error.messages))  # about the version (no longer waiting)
    else:
        messages.success(request, _("Rejected; the member has been told why."))
    return redirect("members:service-detail", pk=version.service_id)


@require_POST
@operator_required
def service_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=pk)
    form = WithdrawForm(request.POST, auto_id=WITHDRAW_FORM_ID)
    if not form.is_valid():  # no reason: said at the field
        return _service_page(request, service, withdraw_form=form)
    try:
        services.service_withdraw(service=service, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):  # about the reason: shown at the field
            _errors_into(form, error)
            return _service_page(request, service, withdraw_form=form)
        messages.error(request, " ".join(error.messages))  # about the service (not live)
    else:
        messages.success(request, _("Withdrawn from the proxy configuration; the member has been told why."))
    return redirect("members:service-detail", pk=service.pk)


@operator_required
def review_policy(request: HttpRequest) -> HttpResponse:
    policy = ReviewPolicy.current()
    form = ReviewPolicyForm(
        request.POST or None,
        initial={
            "auto_approve_test": policy.auto_approve_test,
            "auto_approve_certificate_changes": policy.auto_approve_certificate_changes,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.review_policy_set(by=request.user, **form.cleaned_data)
        messages.success(request, _("Review settings saved."))
        return redirect("members:review-queue")
    return render(request, "members/form.html", {"form": form, "title": _("Review settings")})


# The public register page (/register/) is trustnet/portal/views.py public_register: it needs the
# memberships in force, which belong to contracts.


# ---------------------------------------------------------------- people: invitations and roles


def _get_organisation_for_people_admin(request: HttpRequest, pk: int) -> Organisation:
    """404 for organisations the user has nothing to do with; 403 for ones they belong to
    without being an administrator."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if services.can_manage_people(request.user, organisation):
        return organisation
    if has_role(request.user, organisation.pk):
        raise PermissionDenied
    raise Http404


@member_login_required
def organisation_people(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _get_organisation_for_people_admin(request, pk)
    form = InvitationForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                by=request.user,
                email=form.cleaned_data["email"],
                organisation=organisation,
                roles=form.cleaned_data["roles"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("members:organisation-people", pk=organisation.pk)
    roles = (
        OrganisationRole.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )
    invitations = Invitation.objects.filter(organisation=organisation).select_related("invited_by")[:50]
    return render(
        request,
        "members/organisation_people.html",
        {"organisation": organisation, "roles": roles, "invitations": invitations, "form": form},
    )


@require_POST
@member_login_required
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    if invitation.organisation is not None:
        _get_organisation_for_people_admin(request, invitation.organisation_id)
    elif not request.user.is_staff:
        raise Http404
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation withdrawn."))
    if invitation.organisation_id:
        return redirect("members:organisation-people", pk=invitation.organisation_id)
    return redirect("members:staff-team")


@require_POST
@member_login_required
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(OrganisationRole, pk=pk)
    _get_organisation_for_people_admin(request, role.organisation_id)
    try:
        services.organisation_role_revoke(role=role, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Role removed."))
    return redirect("members:organisation-people", pk=role.organisation_id)


@operator_required
def staff_team(request: HttpRequest) -> HttpResponse:
    form = StaffInvitationForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        invitation, _token = services.invitation_create(
            by=request.user,
            email=form.cleaned_data["email"],
            organisation=None,
            grants_staff=True,
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("members:staff-team")
    staff = User.objects.filter(is_staff=True).order_by("full_name", "email")
    invitations = Invitation.objects.filter(organisation__isnull=True).select_related("invited_by")[:50]
    return render(request, "members/staff_team.html", {"staff": staff, "invitations": invitations, "form": form})


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email. Works for new people and for existing accounts."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(request, "members/invitation_invalid.html", {"reason": str(error)}, status=400)

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=request.user)
            except services.InvitationError as error:
                return render(request, "members/invitation_invalid.html", {"reason": str(error)}, status=400)
            messages.success(request, _("Invitation accepted."))
            return redirect("portal:dashboard")
        return render(request, "members/invitation_accept.html", {"invitation": invitation})

    if User.objects.filter(email__iexact=invitation.email).exists():
        return render(request, "members/invitation_login.html", {"invitation": invitation})

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_with_signup(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except services.InvitationError as error:
            return render(request, "members/invitation_invalid.html", {"reason": str(error)}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to trustnet."))
        if user.is_staff:
            return redirect("mfa_activate_totp")
        return redirect("portal:dashboard")
    return render(request, "members/invitation_signup.html", {"invitation": invitation, "form": form})


# ---------------------------------------------------------------- login sources: attribute mapping (issue 14)


@member_login_required
def login_source_mapping(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """Which of the source's attributes or claims carry each MPASSid attribute. Wilma and Opinsys
    have fixed mappings, shown read-only."""
    organisation = get_organisation_for_user(request, pk, edit="technical")
    source = get_object_or_404(LoginSource, pk=source_pk, organisation=organisation)
    context: dict[str, Any] = {
        "organisation": organisation, "login_source": source, "title": _("Attribute mapping"),
        "breadcrumbs": _login_source_trail(request, organisation, source, (_("Attribute mapping"), request.path)),
    }  # fmt: skip
    if is_fixed(source.kind):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return render(request, "members/login_source_mapping.html", {**context, "fixed": True})
    form = LoginSourceMappingForm(request.POST or None, login_source=source)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = form.cleaned_data["mapping"]
            services.login_source_mapping_set(login_source=source, mapping=mapping, by=request.user)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Attribute mapping saved."))
            return redirect("members:login-source-mapping", pk=organisation.pk, source_pk=source.pk)
    return render(request, "members/login_source_mapping.html", {**context, "form": form, "rows": form.rows()})


# ---------------------------------------------------------------- a login source's page, test to production (issue 14)


def _get_login_source_for_user(
    request: HttpRequest, pk: int, source_pk: int, *, edit: str | None = None
) -> tuple[Organisation, LoginSource]:
    """The organisation and its login source, or 404 when the user may not see (or `edit`) them."""
    organisation = get_organisation_for_user(request, pk, edit=edit)
    source = get_object_or_404(
        LoginSource.objects.select_related("promoted_from", "approved_by"), pk=source_pk, organisation=organisation
    )
    return organisation, source


@member_login_required
def login_source_detail(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """Everything about one login source: what it is, what it serves, its checks, its test link and
    what it still needs before production, with the actions the user may take."""
    organisation, source = _get_login_source_for_user(request, pk, source_pk)
    can_edit = can_edit_technical(request.user, organisation.pk)
    promoted_copy = selectors.login_source_promoted_copy(source)
    return render(
        request,
        "members/login_source_detail.html",
        {
            "organisation": organisation,
            "source": source,
            "schools": source.schools.order_by("code"),
            "excluded_schools": source.excluded_schools.order_by("code"),
            "stage": selectors.login_source_stage(source),
            "checklist": selectors.login_source_production_checklist(source),
            "promoted_copy": promoted_copy,
            "can_edit": can_edit,
            "can_promote": can_edit and source.environment == Environment.TEST and promoted_copy is None,
            "awaiting_review": source.environment == Environment.PRODUCTION and not source.is_approved,
            "reject_form": RejectForm(),
            "breadcrumbs": _login_source_trail(request, organisation, source),
        },
    )


@member_login_required
def login_source_promote(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """Ask for a test login source in production: a confirmation page with what production needs,
    then POST (with `confirm`) makes the production copy that staff review (DESIGN section 2)."""
    organisation, source = _get_login_source_for_user(request, pk, source_pk, edit="technical")
    if source.environment != Environment.TEST:
        raise Http404
    if request.method == "POST" and "confirm" in request.POST:
        try:
            copy = services.login_source_promote(login_source=source, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Promotion to production requested. Staff review it; the test source stays as it is.")
            )
            return redirect("members:login-source-detail", pk=organisation.pk, source_pk=copy.pk)
    return render(
        request,
        "members/login_source_promote.html",
        {
            "organisation": organisation,
            "source": source,
            "checklist": selectors.login_source_production_checklist(source),
            "refusals": list(services.login_source_production_refusals(source).values()),
            "breadcrumbs": _login_source_trail(
                request, organisation, source, (_("Request promotion to production"), request.path)
            ),
        },
    )


@require_POST
@operator_required
def login_source_approve(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(LoginSource, pk=pk)
    try:
        services.login_source_approve(login_source=source, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Approved. The production proxy uses the login source from its next update."))
    return redirect("members:login-source-detail", pk=source.organisation_id, source_pk=source.pk)


@require_POST
@operator_required
def login_source_reject(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(LoginSource, pk=pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Give the reason for refusing, so the organisation can fix it.")})
        test_source = services.login_source_reject(
            login_source=source, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if LoginSource.objects.filter(pk=source.pk).exists():
            return redirect("members:login-source-detail", pk=source.organisation_id, source_pk=source.pk)
        return redirect("members:review-queue")
    messages.success(request, _("Promotion refused; the organisation has been told why."))
    if test_source.pk is not None and test_source.pk != source.pk:
        return redirect("members:login-source-detail", pk=test_source.organisation_id, source_pk=test_source.pk)
    return redirect("members:review-queue")


# ---------------------------------------------------------------- login sources: what the login page shows (issue 14)


@member_login_required
def login_source_login_page(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """Display names, titles, logo and the schools listed under a login source on the login page."""
    organisation = get_organisation_for_user(request, pk, edit="technical")
    source = get_object_or_404(LoginSource, pk=source_pk, organisation=organisation)
    form = LoginSourceLoginPageForm(request.POST or None, request.FILES or None, instance=source)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_source_login_page_save(
                login_source=source,
                data=form.cleaned_data,
                logo=form.cleaned_data.get("logo"),
                remove_logo=bool(form.cleaned_data.get("remove_logo")),
                by=request.user,
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("What the login page shows was saved."))
            return redirect("members:login-source-login-page", pk=organisation.pk, source_pk=source.pk)
    # The preview shows what is stored, not the form's unsaved input.
    preview = (
        LoginSource.objects.select_related("organisation")
        .prefetch_related("schools", "excluded_schools")
        .get(pk=source.pk)
    )
    return render(
        request,
        "members/login_source_login_page.html",
        {
            "form": form,
            "organisation": organisation,
            "source": source,
            "login_source": preview,
            "breadcrumbs": _login_source_trail(
                request, organisation, source, (_("What the login page shows"), request.path)
            ),
        },
    )


@require_safe
@member_login_required
def login_source_logo(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """The login source's current logo, for the portal's preview (whoever may see the organisation).
    Served with nosniff and, for SVG, a policy that lets nothing in it run or load."""
    organisation = get_organisation_for_user(request, pk)
    source = get_object_or_404(LoginSource, pk=source_pk, organisation=organisation)
    if not source.logo:
        raise Http404
    # The stored name is the content's SHA-256 (members/logos.py): a strong validator for free.
    stem, _dot, extension = source.logo.name.rsplit("/", 1)[-1].partition(".")
    if extension not in CONTENT_TYPES:
        raise Http404
    etag = f'"{stem}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        try:
            with default_storage.open(source.logo.name, "rb") as handle:
                data = handle.read()
        except FileNotFoundError as error:
            raise Http404 from error
        response = HttpResponse(data, content_type=CONTENT_TYPES[extension])
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    for name, value in logo_response_headers(extension).items():
        response[name] = value
    return response
