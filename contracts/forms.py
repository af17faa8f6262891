"""Forms of the agreement pages. Domain rules live in services; forms check shape and re-authentication."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import forms as accounts_forms
from contracts.models import AgreementVersion, TermStart
from contracts.selectors import STATE_FILTER_CHOICES
from contracts.services import BREACH_MINIMUM_DAYS
from widgets import DatePicker

LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
MAX_PDF_BYTES = 10 * 1024 * 1024
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class ReauthenticateMixin(accounts_forms.ReauthenticateMixin):
    """Signing requires the user's password again, so an unattended session cannot sign."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Enter your password again to confirm that you are signing."),
    )


class SignForm(ReauthenticateMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)
    language = forms.ChoiceField(label=_("Language of the signed text"))
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    title = forms.CharField(label=_("Your title"), max_length=200, help_text=_("For example: Director of Education"))
    confirm = forms.BooleanField(
        label=_("I have read the agreement and I am authorised to sign it on behalf of the organisation.")
    )
    field_order = ["version", "language", "full_name", "title", "confirm", "password"]

    def __init__(self, *args: Any, version: AgreementVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, LANGUAGE_NAMES[code]) for code in version.languages()]


class CountersignForm(ReauthenticateMixin):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    title = forms.CharField(label=_("Your title"), max_length=200)
    field_order = ["full_name", "title", "password"]


class NoticeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("I understand that the membership ends on the date shown."))


class BreachNoticeForm(forms.Form):
    description = forms.CharField(label=_("What the breach is"), widget=forms.Textarea(attrs={"rows": 4}))
    remedy_by = forms.DateField(
        label=_("Remedy by"),
        widget=DatePicker(),
        help_text=_("At least 30 days from today."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"remedy_by": timezone.localdate() + datetime.timedelta(days=BREACH_MINIMUM_DAYS)})
        super().__init__(*args, **kwargs)


class BreachResponseForm(forms.Form):
    response = forms.CharField(label=_("Your response"), widget=forms.Textarea(attrs={"rows": 4}))


class BreachOutcomeForm(forms.Form):
    remedied = forms.TypedChoiceField(
        label=_("Was the breach remedied?"),
        choices=[("yes", _("Yes, it was remedied")), ("no", _("No, it was not remedied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class VersionForm(forms.ModelForm):
    class Meta:
        model = AgreementVersion
        fields = [
            "number",
            "label",
            "effective_on",
            "text_fi",
            "text_sv",
            "text_en",
            "changes_fi",
            "changes_sv",
            "changes_en",
        ]
        widgets = {
            "effective_on": DatePicker(),
            "text_fi": forms.Textarea(attrs={"rows": 12}),
            "text_sv": forms.Textarea(attrs={"rows": 12}),
            "text_en": forms.Textarea(attrs={"rows": 12}),
            "changes_fi": forms.Textarea(attrs={"rows": 3}),
            "changes_sv": forms.Textarea(attrs={"rows": 3}),
            "changes_en": forms.Textarea(attrs={"rows": 3}),
        }

    def validate_unique(self) -> None:
        """Uniqueness is the service's job (it reports it on the field)."""


class TermStartForm(forms.ModelForm):
    class Meta:
        model = TermStart
        fields = ["starts_on", "term"]
        widgets = {"starts_on": DatePicker()}

    def validate_unique(self) -> None:
        """Uniqueness is the service's job (it reports it on the field)."""


class VerifyForm(forms.Form):
    """Either the PDF itself or a SHA-256 (of the PDF file or of the signed text)."""

    document = forms.FileField(label=_("Signed agreement (PDF)"), required=False, help_text=_("At most 10 MB."))
    sha256 = forms.CharField(
        label=_("Or a SHA-256 hash"),
        required=False,
        max_length=80,
        help_text=_("64 hexadecimal characters: the hash printed in the PDF or the hash of the PDF file."),
    )

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if document is None:
            return None
        if document.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This is not a PDF file."))
        return document

    def clean_sha256(self) -> str:
        value = "".join(self.cleaned_data.get("sha256", "").split()).lower()
        value = value.removeprefix("sha-256:").removeprefix("sha256:")
        if value and not SHA256_HEX.match(value):
            raise forms.ValidationError(_("A SHA-256 hash is 64 hexadecimal characters (0–9, a–f)."))
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and not cleaned.get("document") and not cleaned.get("sha256"):
            raise forms.ValidationError(_("Upload the PDF or enter a hash."))
        return cleaned


class MembershipStateFilterForm(forms.Form):
    """The organisation list's filter by membership state (issue 16 item 4)."""

    membership = forms.ChoiceField(label=_("Membership"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [("", _("any")), *STATE_FILTER_CHOICES]
