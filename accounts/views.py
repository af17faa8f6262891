from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import member_login_required
from accounts.forms import ApiTokenForm, ProfileForm
from accounts.models import ApiToken


def _form_errors_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
