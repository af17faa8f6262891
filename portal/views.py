from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import member_login_required, operator_required
from contracts.forms import MembershipStateFilterForm
from contracts.models import MemberRole
from contracts.selectors import organisation_ids_in_force, organisations_in_state, role_statuses
from csv_files import csv_response
from members import selectors as members_selectors
from members.access import organisation_ids_of, visible_organisation_ids
from members.forms import OrganisationFilterForm
from members.models import Environment, Organisation, Service
from portal import selectors
from portal.health import health_report
from steering.access import holds_seat, seat_holder_required
from widgets.list_sorting import ListSorting, list_sorting


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Send each person to the dashboard of their main role."""
    user = request.user
    if user.is_staff:
        return redirect("portal:staff-dashboard")
    if not organisation_ids_of(user) and holds_seat(user):
        return redirect("portal:steering-dashboard")
    return redirect("portal:member-dashboard")


@operator_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/staff_dashboard.html", selectors.staff_dashboard_context())


@member_login_required
def member_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/member_dashboard.html", selectors.member_dashboard_context(request.user))


@seat_holder_required
def steering_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/steering_dashboard.html", selectors.steering_dashboard_context(request.user))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a logged-in user's choice is saved so emails follow it too."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = health_report()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def public_register(request: HttpRequest) -> HttpResponse:
    """Every production service the proxy releases today and exactly which personal data it receives,
    and why (GDPR). Here, not in members, because "releases today" means the provider's membership
    is in force (contracts), the same rule as trustnet/proxy/register.py. Two queries."""
    services = _public_register_services()
    matrix = members_selectors.data_flows(services, environments=[Environment.PRODUCTION])
    return render(request, "members/public_register.html", {"services": services, "data_flows": matrix})


def _public_register_services() -> list[Service]:
    providers = organisation_ids_in_force(role=MemberRole.SERVICE_PROVIDER, on=timezone.localdate())
    return members_selectors.public_register(provider_ids=providers)


def public_register_export(request: HttpRequest) -> HttpResponse:
    """The public register as CSV: a row per service and attribute it receives, in the page's words
    (a service that receives none has one row without an attribute). Two queries."""
    header = [
        _("Service"),
        _("Provider"),
        _("Privacy statement"),
        _("Attribute"),
        _("SAML FriendlyName"),
        _("SAML name"),
        _("OpenID Connect claim"),
        _("Purpose"),
    ]
    rows = []
    for service in _public_register_services():
        version = service.live_version
        start = [version.name, service.provider.name, version.privacy_url]
        released = version.released_attributes()
        rows += [
            [*start, a.current_label, a.friendly_name, a.saml_name, a.oidc_claim, purpose] for a, purpose in released
        ]
        if not released:
            rows.append([*start, "", "", "", "", ""])
    today = timezone.localdate().isoformat()
    return csv_response(filename=f"mpassid-register-{today}.csv", header=header, rows=rows)


@member_login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The organisation list with each membership's state, filterable by it (issue 16 item 4).

    It answers at members' own address (portal.urls comes first in trustnet/urls.py): the list is
    the register's, but a membership's state is the agreement's knowledge and members may not
    depend on contracts (DESIGN section 6). Staff see every organisation, a member's user their
    own. Five queries whatever the page's length.
    """
    form, state_form, organisations, sorting = _filtered_organisations(request)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    statuses = role_statuses(page.object_list)
    for organisation in page.object_list:
        organisation.role_statuses = statuses[organisation.pk]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/organisation_list.html",
        {"form": form, "state_form": state_form, "page": page, "query": query.urlencode(), "sorting": sorting},
    )


def _filtered_organisations(
    request: HttpRequest,
) -> tuple[OrganisationFilterForm, MembershipStateFilterForm, QuerySet[Organisation], ListSorting]:
    """The organisations the list's filters select, of those the user may see, in the order asked
    for (the list and its CSV export alike)."""
    form = OrganisationFilterForm(request.GET or None)
    state_form = MembershipStateFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sorting = list_sorting(request, members_selectors.organisation_sorts(), "name")
    organisations = members_selectors.organisation_list(
        search=filters.get("q", ""),
        kind=filters.get("kind", ""),
        role=filters.get("role", ""),
        ids=visible_organisation_ids(request.user),
        order_by=sorting.order_by,
    )
    if state_form.is_valid() and state_form.cleaned_data["membership"]:
        organisations = organisations_in_state(organisations, state=state_form.cleaned_data["membership"])
    return form, state_form, organisations, sorting


@operator_required
def organisation_export(request: HttpRequest) -> HttpResponse:
    """The organisation list as CSV for staff, with the same filters, and each role's membership
    state in words with its end date. Three queries whatever the number of organisations."""
    _form, _state_form, organisations, _sorting = _filtered_organisations(request)
    organisations = list(organisations)
    statuses = role_statuses(organisations)
    header = [_("Name"), _("Business ID"), _("Kind"), _("Roles"), _("Schools"), _("Services")]
    # Whole headings per role, so each language can inflect the role's name.
    header += [
        _("Home organisation membership"),
        _("Home organisation membership ends on"),
        _("Service provider membership"),
        _("Service provider membership ends on"),
    ]
    rows = []
    for organisation in organisations:
        roles = [str(label) for label, has in _registered_roles(organisation) if has]
        row = [
            organisation.name,
            organisation.business_id,
            organisation.get_kind_display(),
            ", ".join(roles),
            organisation.school_count,
            organisation.service_count,
        ]
        by_role = {status.role: status for status in statuses[organisation.pk]}
        for role in (MemberRole.HOME_ORGANISATION, MemberRole.SERVICE_PROVIDER):
            status = by_role.get(role)
            ends_on = status.ends_on if status else None
            row += [status.label if status else "", ends_on.isoformat() if ends_on else ""]
        rows.append(row)
    today = timezone.localdate().isoformat()
    return csv_response(filename=f"mpassid-members-{today}.csv", header=header, rows=rows)


def _registered_roles(organisation: Organisation) -> list[tuple[str, bool]]:
    return [
        (_("home organisation"), organisation.is_home_organisation),
        (_("service provider"), organisation.is_service_provider),
    ]
