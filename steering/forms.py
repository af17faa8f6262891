"""Forms of the steering-group pages: they shape input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.models import AgreementVersion
from members.models import Organisation
from steering.models import SteeringGroup, VoteChoice
from widgets import DatePicker, DateTimePicker


class SteeringGroupForm(forms.ModelForm):
    class Meta:
        model = SteeringGroup
        fields = [
            "name",
            "quorum_numerator",
            "quorum_denominator",
            "majority_numerator",
            "majority_denominator",
            "tally_secret_until_close",
        ]
        labels = {
            "quorum_numerator": _("Quorum: numerator"),
            "quorum_denominator": _("Quorum: denominator"),
            "majority_numerator": _("Qualified majority: numerator"),
            "majority_denominator": _("Qualified majority: denominator"),
        }
        help_texts = {
            "quorum_denominator": _("More than this fraction of the seats must cast a vote (abstentions count)."),
            "majority_denominator": _("At least this fraction of the votes for or against must be in favour."),
        }


class SteeringGroupCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class SeatForm(forms.Form):
    holder = forms.ModelChoiceField(
        label=_("Seat holder"), queryset=User.objects.filter(is_active=True).order_by("full_name", "email")
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name_fi"))
    term_start = forms.DateField(label=_("Term starts"), widget=DatePicker)
    term_end = forms.DateField(label=_("Term ends"), widget=DatePicker, required=False)


class SeatUpdateForm(SeatForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["holder"]


class ProposalForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("New agreement version"),
        queryset=AgreementVersion.objects.filter(state="draft", proposal__isnull=True).order_by("-number"),
        help_text=_("A draft version prepared on the agreements pages."),
    )
    title_fi = forms.CharField(label=_("Title in Finnish"), max_length=200)
    title_sv = forms.CharField(label=_("Title in Swedish"), max_length=200)
    title_en = forms.CharField(label=_("Title in English (optional)"), max_length=200, required=False)
    rationale_fi = forms.CharField(label=_("Rationale in Finnish"), widget=forms.Textarea(attrs={"rows": 6}))
    rationale_sv = forms.CharField(label=_("Rationale in Swedish"), widget=forms.Textarea(attrs={"rows": 6}))
    rationale_en = forms.CharField(
        label=_("Rationale in English (optional)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    effective_date = forms.DateField(
        label=_("Proposed effective date"),
        widget=DatePicker,
        help_text=_("At least 30 days after members are told of the decision."),
    )


class OpenVotingForm(forms.Form):
    deadline = forms.DateTimeField(label=_("Voting deadline"), widget=DateTimePicker)


class CloseVotingForm(forms.Form):
    effective_date = forms.DateField(
        label=_("New effective date (only if the proposed one is now too early)"), widget=DatePicker, required=False
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=VoteChoice.choices, widget=forms.RadioSelect)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm = forms.BooleanField(
        label=_("I understand that our membership ends on the day the change takes effect."), required=True
    )
