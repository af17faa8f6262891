from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from widgets import DatePicker


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]


class ReauthenticateMixin(forms.Form):
    """Asks for the user's password again, so an unattended session cannot do what needs it
    (signing an agreement, making an API token)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Enter your password again to confirm."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class ApiTokenForm(ReauthenticateMixin):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Where the token is used, e.g. “Student register sync”.")
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"),
        required=False,
        widget=DatePicker(),
        help_text=_("The last day the token works. Leave empty for a token that works until you revoke it."),
    )
    field_order = ["name", "expires_on", "password"]
