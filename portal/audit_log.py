"""The operator's audit log, for staff to read (DESIGN section 3 item 7).

The log itself is kept by `audit`, the bottom layer; reading it is a staff page, so it is served
here, where the access rules and every object the log can name are in reach. The words for codes
are in `portal.audit_words`, the presentation of entries in `portal.audit_present`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import operator_required
from audit.models import Entry
from contracts.models import BreachNotice, Membership, Signature, Termination
from csv_files import csv_response
from members.models import (
    Contact,
    Invitation,
    LoginSource,
    Office,
    Organisation,
    OrganisationRole,
    School,
    Service,
    ServiceVersion,
)
from portal.audit_present import EntryRow, entry_rows
from portal.audit_words import SYSTEM_ACTOR, action_choices
from steering.models import ChangeNotice, Seat
from widgets import DatePicker

SYSTEM = "system"
PAGE_SIZE = 50
EXPORT_CHUNK = 500


def organisation_entries(organisation_id: int) -> Q:
    """Entries about an organisation or about something of its own (its services, schools,
    memberships, ...). Objects removed since are no longer linked to it and are not found."""

    def ids(queryset: QuerySet) -> QuerySet:
        return queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")

    owned = {
        "members.contact": Contact.objects.filter(organisation_id=organisation_id),
        "members.school": School.objects.filter(organisation_id=organisation_id),
        "members.office": Office.objects.filter(school__organisation_id=organisation_id),
        "members.loginsource": LoginSource.objects.filter(organisation_id=organisation_id),
        "members.organisationrole": OrganisationRole.objects.filter(organisation_id=organisation_id),
        "members.invitation": Invitation.objects.filter(organisation_id=organisation_id),
        "members.service": Service.objects.filter(provider_id=organisation_id),
        "members.serviceversion": ServiceVersion.objects.filter(service__provider_id=organisation_id),
        "contracts.membership": Membership.objects.filter(organisation_id=organisation_id),
        "contracts.signature": Signature.objects.filter(membership__organisation_id=organisation_id),
        "contracts.termination": Termination.objects.filter(membership__organisation_id=organisation_id),
        "contracts.breachnotice": BreachNotice.objects.filter(membership__organisation_id=organisation_id),
        "steering.changenotice": ChangeNotice.objects.filter(organisation_id=organisation_id),
        "steering.seat": Seat.objects.filter(organisation_id=organisation_id),
    }
    condition = Q(object_type="members.organisation", object_id=str(organisation_id))
    for object_type, queryset in owned.items():
        condition |= Q(object_type=object_type, object_id__in=ids(queryset))
    return condition


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DatePicker)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DatePicker)
    actor = forms.ChoiceField(label=gettext_lazy("Who"), required=False)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name_fi"),
        empty_label=gettext_lazy("All organisations"),
    )
    action = forms.ChoiceField(label=gettext_lazy("What happened"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only people who appear in the log: picking anyone else could only ever find nothing.
        actors = get_user_model().objects.filter(pk__in=Entry.objects.exclude(actor=None).values("actor_id"))
        self.fields["actor"].choices = [
            ("", _("Everyone")),
            (SYSTEM, str(SYSTEM_ACTOR).capitalize()),
            *(
                (str(user.pk), f"{user} <{user.email}>" if user.full_name else user.email)
                for user in actors.order_by("email")
            ),
        ]
        self.fields["action"].choices = [("", _("Any change")), *action_choices()]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, entries: QuerySet[Entry]) -> QuerySet[Entry]:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            entries = entries.filter(created_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, zone))
        if data["date_to"]:
            day_after = data["date_to"] + dt.timedelta(days=1)
            entries = entries.filter(created_at__lt=dt.datetime.combine(day_after, dt.time.min, zone))
        if data["actor"] == SYSTEM:
            entries = entries.filter(actor=None)
        elif data["actor"]:
            entries = entries.filter(actor_id=int(data["actor"]))
        if data["organisation"]:
            entries = entries.filter(organisation_entries(data["organisation"].pk))
        if data["action"]:
            entries = entries.filter(action=data["action"])
        return entries


def filtered_entries(form: AuditFilterForm) -> QuerySet[Entry]:
    """The entries the filters select; none while the filters are in error (a wrong date must not
    silently show everything)."""
    entries = Entry.objects.select_related("actor").order_by("-id")
    if not form.is_bound:
        return entries
    return form.filter(entries) if form.is_valid() else entries.none()


@operator_required
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered_entries(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "portal/_audit_log_body.html" if request.htmx else "portal/audit_log.html"
    context = {"form": form, "page": page, "rows": entry_rows(page.object_list), "query": query.urlencode()}
    return render(request, template, context)


def _changes_text(row: EntryRow) -> str:
    return "\n".join(
        _("%(field)s: %(before)s → %(after)s") % {"field": c.field, "before": c.before or "–", "after": c.after or "–"}
        for c in row.changes
    )


def _export_rows(entries: QuerySet[Entry]) -> Iterator[list[str]]:
    # In chunks, so each chunk's objects are fetched together (a query per kind, not per row).
    paginator = Paginator(entries, EXPORT_CHUNK)
    for number in paginator.page_range:
        for row in entry_rows(paginator.page(number).object_list):
            yield [
                timezone.localtime(row.entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                row.actor,
                row.action,
                row.object_type,
                row.target,
                _changes_text(row),
            ]


@operator_required
def entry_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, in the same words as the page."""
    form = AuditFilterForm(request.GET or None)
    header = [_("Time"), _("Who"), _("What happened"), _("Object type"), _("Object"), _("Changes")]
    today = timezone.localdate().isoformat()
    return csv_response(filename=f"audit-log-{today}.csv", header=header, rows=_export_rows(filtered_entries(form)))
