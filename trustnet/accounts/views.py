from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Organisation
from trustnet.accounts import services
from trustnet.accounts.access import has_role, member_login_required, operator_required
from trustnet.accounts.forms import (
    ApiTokenForm,
    InvitationForm,
    InvitationSignupForm,
    ProfileForm,
    StaffInvitationForm,
)
from trustnet.accounts.models import ApiToken, Invitation, OrganisationRole, User


def _get_organisation_for_people_admin(request: HttpRequest, pk: int) -> Organisation:
    """404 for organisations the user has nothing to do with; 403 for ones they belong to
    without being an administrator."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if services.can_manage_people(request.user, organisation):
        return organisation
    if has_role(request.user, organisation.pk):
        raise PermissionDenied
    raise Http404


def _form_errors_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
            _form_errors_into(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:organisation-people", pk=organisation.pk)
    roles = (
        OrganisationRole.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )
    invitations = Invitation.objects.filter(organisation=organisation).select_related("invited_by")[:50]
    return render(
        request,
        "accounts/organisation_people.html",
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
        return redirect("accounts:organisation-people", pk=invitation.organisation_id)
    return redirect("accounts:staff-team")


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
    return redirect("accounts:organisation-people", pk=role.organisation_id)


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
        return redirect("accounts:staff-team")
    staff = User.objects.filter(is_staff=True).order_by("full_name", "email")
    invitations = Invitation.objects.filter(organisation__isnull=True).select_related("invited_by")[:50]
    return render(request, "accounts/staff_team.html", {"staff": staff, "invitations": invitations, "form": form})


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email. Works for new people and for existing accounts."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=400)

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=request.user)
            except services.InvitationError as error:
                return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=400)
            messages.success(request, _("Invitation accepted."))
            return redirect("portal:dashboard")
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})

    if User.objects.filter(email__iexact=invitation.email).exists():
        return render(request, "accounts/invitation_login.html", {"invitation": invitation})

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_with_signup(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except services.InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to trustnet."))
        if user.is_staff:
            return redirect("mfa_activate_totp")
        return redirect("portal:dashboard")
    return render(request, "accounts/invitation_signup.html", {"invitation": invitation, "form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details were saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@member_login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's personal API tokens: make one (password again; the key is shown once), list, revoke."""
    form = ApiTokenForm(request.POST or None, user=request.user)
    new_key = None
    # The password is asked again here, so guessing it is limited like allauth's re-authentication.
    if request.method == "POST" and not ratelimit.consume(request, action="reauthenticate", user=request.user):
        form.is_valid()
        form.add_error(None, _("Too many attempts. Wait a minute and try again."))
    elif request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                by=request.user,
            )
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            form = ApiTokenForm(user=request.user)
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})
    if new_key:
        # The page carries a secret: keep it out of caches and the browser's history store.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_login_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked; it no longer works.") % {"name": token.name})
    return redirect("accounts:api-tokens")
