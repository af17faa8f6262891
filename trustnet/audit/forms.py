from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from trustnet.audit.models import Entry


class AuditFilterForm(forms.Form):
    object_type = forms.CharField(label=_("Object type"), required=False, help_text=_("e.g. members.organisation"))
    object_id = forms.CharField(label=_("Object id"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, help_text=_("Email address or part of it"))
    action = forms.CharField(label=_("Action"), required=False)

    def filter(self, entries: QuerySet[Entry]) -> QuerySet[Entry]:
        data = self.cleaned_data
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"].strip().lower())
        if data["object_id"]:
            entries = entries.filter(object_id=data["object_id"].strip())
        if data["actor"]:
            entries = entries.filter(Q(actor_label__icontains=data["actor"].strip()))
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"].strip())
        return entries
