"""The operator's audit log, for staff to read (DESIGN section 3 item 7).

The log itself is kept by `audit`, the bottom layer; reading it is a staff page, so it is served
here, where the access rules and every object the log can name are in reach.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.access import operator_required
from audit.models import Entry


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


@operator_required
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = Entry.objects.select_related("actor").order_by("-id")
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "portal/_audit_entries.html" if request.htmx else "portal/audit_log.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
