"""Agreement pages: signing, membership details, notice and breach, staff tools, public verification."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_login_required, operator_required
from contracts import forms, selectors, services
from contracts.decisions import version_decision
from contracts.models import (
    AgreementVersion,
    BreachNotice,
    MemberRole,
    Membership,
    Party,
    Signature,
    Termination,
    TermStart,
)
from contracts.notice import NoKnownTermStart, notice_period_end
from contracts.pdf import signed_document_for
from contracts.timeline import membership_timeline, timeline_drawing
from contracts.verification import verify_hash, verify_pdf
from members.access import has_role
from members.models import Organisation, Role
from widgets.breadcrumbs import Crumb, breadcrumb_trail


def _form_errors_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded header is whatever the client wants it to be unless a trusted
    # proxy sets it, and the deployment's proxy is expected to set REMOTE_ADDR correctly.
    return request.META.get("REMOTE_ADDR") or None


def _get_membership_for_user(request: HttpRequest, pk: int) -> Membership:
    """Staff see every membership; a member's users see their own organisation's; others get 404."""
    membership = get_object_or_404(Membership.objects.select_related("organisation", "version"), pk=pk)
    if request.user.is_staff or has_role(request.user, membership.organisation_id):
        return membership
    raise Http404


def _party_of(request: HttpRequest) -> str:
    return Party.OPERATOR if request.user.is_staff else Party.MEMBER


# --- Members ---------------------------------------------------------------------------------


def _reauthentication_limited(request: HttpRequest, form: forms.ReauthenticateMixin) -> bool:
    """The password is asked again on signing, so guessing it is limited like allauth's
    re-authentication (the same limit as the API-token page): past it, even the right password is refused."""
    if ratelimit.consume(request, action="reauthenticate", user=request.user):
        return False
    form.is_valid()
    form.add_error(None, _("Too many attempts. Wait a minute and try again."))
    return True


@member_login_required
def membership_sign(request: HttpRequest, organisation_pk: int, role: str) -> HttpResponse:
    """The member's signatory reads the current version and signs it."""
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if not has_role(request.user, organisation.pk):
        raise Http404
    if not has_role(request.user, organisation.pk, [Role.SIGNATORY]):
        raise PermissionDenied
    if role not in MemberRole.values:
        raise Http404
    version = AgreementVersion.objects.current()
    if version is None:
        messages.error(request, _("No agreement version has been published yet."))
        return redirect("portal:member-dashboard")
    existing = services.open_membership(organisation=organisation, role=role)
    language = request.GET.get("language") or request.user.language
    if language not in version.languages():
        language = version.languages()[0]
    form = forms.SignForm(
        request.POST or None,
        user=request.user,
        version=version,
        initial={"version": version.pk, "language": language, "full_name": request.user.full_name},
    )
    if request.method == "POST" and not _reauthentication_limited(request, form) and form.is_valid():
        signed_version = AgreementVersion.objects.filter(pk=form.cleaned_data["version"]).first()
        try:
            if signed_version is None:
                raise ValidationError({"version": _("Unknown agreement version.")})
            signature = services.signature_member_sign(
                organisation=organisation,
                role=role,
                version=signed_version,
                by=request.user,
                full_name=form.cleaned_data["full_name"],
                title=form.cleaned_data["title"],
                language=form.cleaned_data["language"],
                ip_address=_client_ip(request),
            )
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            messages.success(request, _("You signed the agreement. The operator will countersign it."))
            return redirect("contracts:membership-detail", pk=signature.membership_id)
    return render(
        request,
        "contracts/membership_sign.html",
        {
            "organisation": organisation,
            "role": MemberRole(role),
            "version": version,
            "language": language,
            "text": version.text_in(language),
            "text_sha256": services.text_sha256(version.text_in(language)),
            "existing": existing,
            "form": form,
        },
    )


def _membership_trail(request: HttpRequest, membership: Membership) -> list[Crumb]:
    """Staff come to a membership through the agreements list, a member's user through their organisation."""
    here = (
        _("%(organisation)s: %(role)s")
        % {"organisation": membership.organisation.name, "role": membership.get_role_display()},
        reverse("contracts:membership-detail", args=[membership.pk]),
    )
    if request.user.is_staff:
        return breadcrumb_trail(request, (_("Memberships"), reverse("contracts:staff-membership-list")), here)
    organisation = (
        membership.organisation.name,
        reverse("members:organisation-detail", args=[membership.organisation_id]),
    )
    return breadcrumb_trail(request, organisation, here)


def _version_trail(request: HttpRequest, version: AgreementVersion | None) -> list[Crumb]:
    here = (str(version), request.path) if version is not None else (_("New draft"), request.path)
    return breadcrumb_trail(
        request,
        (_("Agreement versions"), reverse("contracts:staff-version-list")),
        here,
    )


@member_login_required
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _get_membership_for_user(request, pk)
    party = _party_of(request)
    can_act = party == Party.OPERATOR or has_role(request.user, membership.organisation_id, [Role.SIGNATORY])
    today = timezone.localdate()
    notice_ends_on = None
    notice_problem = ""
    terminations = list(membership.terminations.select_related("withdrawn_by"))
    # A party gives notice once; while its notice stands it may withdraw it instead (issue 15).
    own_notice = next(
        (t for t in terminations if t.kind == Termination.Kind.NOTICE and t.given_by == party and t.is_standing),
        None,
    )
    if membership.is_in_force(today) and own_notice is None:
        try:
            notice_ends_on = notice_period_end(
                given_by=party, member_role=membership.role, notice_date=today, term_starts=services.term_start_dates()
            )
        except NoKnownTermStart:
            notice_problem = _("No school term start after today is known; add the term start dates first.")
    state = membership.state_on(today)
    # The operator countersigns only the version in effect (issue 4): say so instead of offering the form.
    awaiting_operator = party == Party.OPERATOR and state == Membership.State.AWAITING_OPERATOR
    current = AgreementVersion.objects.current() if awaiting_operator else None
    outdated = current is not None and membership.version_id != current.pk
    signatures = list(Signature.objects.filter(membership=membership).select_related("version").order_by("signed_at"))
    breach_notices = list(BreachNotice.objects.filter(membership=membership).select_related("given_by_user"))
    events = membership_timeline(
        membership, signatures=signatures, terminations=terminations, breach_notices=breach_notices, on=today
    )
    return render(
        request,
        "contracts/membership_detail.html",
        {
            "membership": membership,
            "state": state,
            "current_version": current,
            "outdated": outdated,
            "signatures": signatures,
            "terminations": terminations,
            "own_notice": own_notice,
            "breach_notices": breach_notices,
            "timeline": timeline_drawing(events),
            "party": party,
            "can_act": can_act,
            "today": today,
            "notice_ends_on": notice_ends_on,
            "notice_problem": notice_problem,
            "notice_form": forms.NoticeForm(),
            "breach_form": forms.BreachNoticeForm(),
            "response_form": forms.BreachResponseForm(),
            "outcome_form": forms.BreachOutcomeForm(),
            "countersign_form": forms.CountersignForm(user=request.user, initial={"full_name": request.user.full_name}),
            "breadcrumbs": _membership_trail(request, membership),
        },
    )


@member_login_required
def membership_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _get_membership_for_user(request, pk)
    if membership.in_force_from is None:
        raise Http404
    document = signed_document_for(membership)
    return FileResponse(
        document.pdf.open("rb"),
        as_attachment=True,
        filename=f"jasensopimus-{membership.organisation.business_id}-{membership.role}-v{membership.version.number}.pdf",
        content_type="application/pdf",
    )


def _action_done(request: HttpRequest, membership_pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("contracts:membership-detail", pk=membership_pk)


def _action_failed(request: HttpRequest, membership_pk: int, error: ValidationError) -> HttpResponse:
    for text in error.messages:
        messages.error(request, text)
    return redirect("contracts:membership-detail", pk=membership_pk)


@require_POST
@member_login_required
def membership_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Give notice. Whoever may not act for their party gets 403 from the service; nothing is recorded."""
    membership = get_object_or_404(Membership, pk=pk)
    form = forms.NoticeForm(request.POST)
    party = _party_of(request)
    if not form.is_valid():
        services._check_party(membership=membership, given_by=party, by=request.user)
        return _action_failed(request, pk, ValidationError(_("Confirm that you understand when the membership ends.")))
    try:
        termination = services.termination_create(
            membership=membership, kind="notice", given_by=party, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _action_failed(request, pk, error)
    return _action_done(
        request,
        pk,
        _("Notice given. The membership ends on %(date)s.")
        % {"date": date_format(termination.ends_on, "SHORT_DATE_FORMAT")},
    )


@require_POST
@member_login_required
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a notice. Whoever may not act for the party that gave it gets 403 from the service."""
    termination = get_object_or_404(Termination, pk=pk)
    _get_membership_for_user(request, termination.membership_id)
    try:
        membership = services.notice_withdraw(termination=termination, by=request.user)
    except ValidationError as error:
        return _action_failed(request, termination.membership_id, error)
    if membership.ends_on is None:
        message = _("Notice withdrawn. The membership continues.")
    else:
        message = _("Notice withdrawn. Another termination still stands: the membership ends on %(date)s.") % {
            "date": date_format(membership.ends_on, "SHORT_DATE_FORMAT")
        }
    return _action_done(request, membership.pk, message)


@require_POST
@member_login_required
def breach_notice_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=pk)
    party = _party_of(request)
    form = forms.BreachNoticeForm(request.POST)
    if not form.is_valid():
        services._check_party(membership=membership, given_by=party, by=request.user)
        return _action_failed(request, pk, ValidationError([e for errs in form.errors.values() for e in errs]))
    try:
        services.breach_notice_create(
            membership=membership,
            notified_by=party,
            by=request.user,
            description=form.cleaned_data["description"],
            remedy_by=form.cleaned_data["remedy_by"],
        )
    except ValidationError as error:
        return _action_failed(request, pk, error)
    return _action_done(request, pk, _("Notice of material breach given."))


@require_POST
@member_login_required
def breach_respond(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(BreachNotice, pk=pk)
    form = forms.BreachResponseForm(request.POST)
    try:
        services.breach_response_record(breach_notice=notice, by=request.user, response=form.data.get("response", ""))
    except ValidationError as error:
        return _action_failed(request, notice.membership_id, error)
    return _action_done(request, notice.membership_id, _("Response recorded."))


@require_POST
@member_login_required
def breach_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(BreachNotice, pk=pk)
    form = forms.BreachOutcomeForm(request.POST)
    if not form.is_valid():
        services._check_party(membership=notice.membership, given_by=notice.notified_by, by=request.user)
        return _action_failed(request, notice.membership_id, ValidationError(_("Choose whether it was remedied.")))
    try:
        services.breach_outcome_record(breach_notice=notice, by=request.user, remedied=form.cleaned_data["remedied"])
    except ValidationError as error:
        return _action_failed(request, notice.membership_id, error)
    return _action_done(request, notice.membership_id, _("Outcome recorded."))


@require_POST
@member_login_required
def breach_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(BreachNotice.objects.select_related("membership"), pk=pk)
    try:
        services.termination_create(
            membership=notice.membership,
            kind="breach",
            given_by=notice.notified_by,
            by=request.user,
            breach_notice=notice,
            reason=notice.description,
        )
    except ValidationError as error:
        return _action_failed(request, notice.membership_id, error)
    return _action_done(request, notice.membership_id, _("The agreement was terminated with immediate effect."))


# --- Operator staff -----------------------------------------------------------------------------


@operator_required
def staff_membership_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    memberships = selectors.membership_list()
    today = timezone.localdate()
    rows = [m for m in memberships if not state or m.state_on(today) == state]
    return render(
        request,
        "contracts/staff_membership_list.html",
        {"memberships": rows, "states": Membership.State.choices, "state": state, "today": today},
    )


@require_POST
@operator_required
def membership_countersign(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=pk)
    form = forms.CountersignForm(request.POST, user=request.user)
    if _reauthentication_limited(request, form) or not form.is_valid():
        return _action_failed(request, pk, ValidationError([e for errs in form.errors.values() for e in errs]))
    try:
        services.signature_operator_countersign(
            membership=membership,
            by=request.user,
            full_name=form.cleaned_data["full_name"],
            title=form.cleaned_data["title"],
            ip_address=_client_ip(request),
        )
    except ValidationError as error:
        return _action_failed(request, pk, error)
    return _action_done(request, pk, _("Countersigned. The membership is in force."))


@operator_required
def staff_version_list(request: HttpRequest) -> HttpResponse:
    versions = AgreementVersion.objects.select_related("published_by")
    return render(
        request,
        "contracts/staff_version_list.html",
        {"versions": versions, "current": AgreementVersion.objects.current()},
    )


@operator_required
def staff_version_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a draft (no pk) or change one; a published version is shown read-only."""
    version = get_object_or_404(AgreementVersion, pk=pk) if pk else None
    if version is not None and version.is_published:
        return render(
            request,
            "contracts/staff_version_detail.html",
            {
                "version": version,
                "breadcrumbs": _version_trail(request, version),
                **selectors.version_comparison(version),
            },
        )
    initial = {}
    if version is None:
        latest = AgreementVersion.objects.order_by("-number").first()
        initial = {"number": (latest.number + 1) if latest else 1}
    form = forms.VersionForm(request.POST or None, instance=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if version is None:
                version = services.version_draft_create(by=request.user, **fields)
            else:
                version = services.version_draft_update(version=version, by=request.user, **fields)
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("contracts:staff-version-edit", pk=version.pk)
    decision = version_decision(version) if version is not None else None
    return render(
        request,
        "contracts/staff_version_form.html",
        {
            "version": version,
            "form": form,
            "decision": decision,
            "may_publish": services.may_publish_without_proposal(),
            "breadcrumbs": _version_trail(request, version),
            **(selectors.version_comparison(version) if version is not None else {}),
        },
    )


@require_POST
@operator_required
def staff_version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(AgreementVersion, pk=pk)
    try:
        services.version_publish(version=version, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Version published. It can no longer be changed."))
    return redirect("contracts:staff-version-edit", pk=pk)


@operator_required
def staff_term_starts(request: HttpRequest) -> HttpResponse:
    form = forms.TermStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_start_create(
                by=request.user, starts_on=form.cleaned_data["starts_on"], term=form.cleaned_data["term"]
            )
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            messages.success(request, _("Term start added."))
            return redirect("contracts:staff-term-starts")
    return render(request, "contracts/staff_term_starts.html", {"term_starts": TermStart.objects.all(), "form": form})


@require_POST
@operator_required
def staff_term_start_delete(request: HttpRequest, pk: int) -> HttpResponse:
    term_start = get_object_or_404(TermStart, pk=pk)
    services.term_start_delete(term_start=term_start, by=request.user)
    messages.success(request, _("Term start removed."))
    return redirect("contracts:staff-term-starts")


# --- The public ----------------------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone may check a signed agreement PDF or hash; the answer names the agreement and signatures."""
    bound = request.method == "POST"
    # Per client address (ACCOUNT_RATE_LIMITS["verify_document"]), checked before the upload is read:
    # each verification may cost a reading budget of CPU time.
    if bound and not ratelimit.consume(request, action="verify_document"):
        return render(
            request,
            "contracts/verify.html",
            {"form": forms.VerifyForm(), "result": None, "memberships": [], "rate_limited": True},
            status=429,
        )
    form = forms.VerifyForm(request.POST if bound else None, request.FILES if bound else None)
    result = None
    if bound and form.is_valid():
        document = form.cleaned_data.get("document")
        result = verify_pdf(document.read()) if document else verify_hash(form.cleaned_data["sha256"])
    memberships = result.memberships if result else []
    return render(
        request,
        "contracts/verify.html",
        {
            "form": form,
            "result": result,
            "memberships": [
                (m, [s for s in m.signatures.all() if not result.version or s.version_id == result.version.pk])
                for m in memberships
            ],
        },
    )
