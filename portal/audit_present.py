"""The audit log in words: each entry's target as a link, its before/after as changed fields.

Reading a page of entries costs one query per kind of object on the page (never one per entry):
`entry_rows` first collects every object the page names (targets and the ids inside before/after),
then fetches each kind at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.models import Entry
from members.models import Environment
from portal.audit_words import EXTRA_FIELD_NAMES, SYSTEM_ACTOR, action_name, object_type_name
from steering.models import VoteChoice


@dataclass(frozen=True)
class Target:
    """How to fetch, link and name one kind of object the log can point at."""

    related: tuple[str, ...] = ()
    url: Callable[[Any], str | None] = lambda obj: None
    label: Callable[[Any], str] = str


def _org_url(pk: int | None) -> str | None:
    return reverse("members:organisation-detail", args=[pk]) if pk else None


def _membership_url(pk: int) -> str:
    return reverse("contracts:membership-detail", args=[pk])


TARGETS: dict[str, Target] = {
    "members.organisation": Target(url=lambda o: _org_url(o.pk), label=lambda o: o.name),
    "members.service": Target(
        related=("live_version",),
        url=lambda s: reverse("members:service-detail", args=[s.pk]),
        label=lambda s: s.live_version.name if s.live_version else str(s),
    ),
    "members.serviceversion": Target(
        url=lambda v: reverse("members:service-detail", args=[v.service_id]),
        label=lambda v: (
            _("%(name)s, version submitted %(date)s")
            % {"name": v.name, "date": date_format(timezone.localtime(v.submitted_at), "SHORT_DATE_FORMAT")}
            if v.submitted_at
            else v.name
        ),
    ),
    "members.school": Target(url=lambda s: reverse("members:school-edit", args=[s.organisation_id, s.pk]), label=str),
    "members.office": Target(
        related=("school",),
        url=lambda o: reverse("members:school-edit", args=[o.school.organisation_id, o.school_id]),
        label=lambda o: f"{o.name} ({o.school.name})",
    ),
    "members.contact": Target(url=lambda c: _org_url(c.organisation_id), label=lambda c: c.name),
    "members.loginsource": Target(
        url=lambda s: reverse("members:login-source-edit", args=[s.organisation_id, s.pk]), label=str
    ),
    "members.organisationrole": Target(
        related=("user", "organisation"),
        url=lambda r: reverse("members:organisation-people", args=[r.organisation_id]),
        label=lambda r: f"{r.user}, {r.organisation.name}: {r.get_role_display()}",
    ),
    "members.invitation": Target(
        url=lambda i: (
            reverse("members:organisation-people", args=[i.organisation_id])
            if i.organisation_id
            else reverse("members:staff-team")
        ),
        label=lambda i: i.email,
    ),
    "members.reviewpolicy": Target(
        url=lambda p: reverse("members:review-policy"), label=lambda p: _("Review settings")
    ),
    "contracts.membership": Target(related=("organisation",), url=lambda m: _membership_url(m.pk), label=str),
    "contracts.signature": Target(
        related=("membership__organisation",),
        url=lambda s: _membership_url(s.membership_id),
        label=lambda s: f"{s.full_name}, {s.membership}",
    ),
    "contracts.termination": Target(
        related=("membership__organisation",), url=lambda t: _membership_url(t.membership_id), label=str
    ),
    "contracts.breachnotice": Target(
        related=("membership__organisation",), url=lambda b: _membership_url(b.membership_id), label=str
    ),
    "contracts.agreementversion": Target(url=lambda v: reverse("contracts:staff-version-list"), label=str),
    "contracts.termstart": Target(url=lambda t: reverse("contracts:staff-term-starts"), label=str),
    "steering.steeringgroup": Target(url=lambda g: reverse("steering:staff-home"), label=str),
    "steering.seat": Target(
        related=("holder", "organisation"), url=lambda s: reverse("steering:staff-home"), label=str
    ),
    "steering.proposal": Target(url=lambda p: reverse("steering:staff-proposal", args=[p.pk]), label=lambda p: p.title),
    "steering.vote": Target(
        related=("proposal",),
        url=lambda v: reverse("steering:staff-proposal", args=[v.proposal_id]),
        label=lambda v: _("Vote on “%(title)s”") % {"title": v.proposal.title},
    ),
    "steering.changenotice": Target(
        related=("proposal", "organisation"),
        url=lambda n: reverse("steering:staff-proposal", args=[n.proposal_id]),
        label=lambda n: f"{n.proposal.title}: {n.organisation.name}",
    ),
    "proxy.snapshot": Target(
        url=lambda s: reverse("proxy:snapshot-detail", args=[s.pk]),
        label=lambda s: (
            _("%(environment)s configuration no. %(number)s")
            % {"environment": s.get_environment_display(), "number": s.pk}
        ),
    ),
    "proxy.proxytoken": Target(
        url=lambda t: reverse("proxy:token-list"), label=lambda t: f"{t.name} ({t.get_environment_display()})"
    ),
    "proxy.proxykey": Target(
        url=lambda k: reverse("proxy:key-list"),
        label=lambda k: f"{k.get_environment_display()}: {k.fingerprint[:16]}",
    ),
    "accounts.user": Target(label=str),
    "accounts.apitoken": Target(label=str),
}

# Keys services write beside model fields that hold ids of other objects.
EXTRA_RELATED: dict[str, str] = {
    "allowed_services": "members.service",
    "eligible_seats": "steering.seat",
    "live_version": "members.serviceversion",
    "memberships": "contracts.membership",
    "organisations": "members.organisation",
    "proposal": "steering.proposal",
    "seat": "steering.seat",
    "snapshot": "proxy.snapshot",
    "snapshot_ids": "proxy.snapshot",
    "kept_snapshots": "proxy.snapshot",
    "version": "members.serviceversion",
    "votes": "steering.seat",
}
EXTRA_CHOICES: dict[str, dict[str, str]] = {"environment": dict(Environment.choices), "votes": dict(VoteChoice.choices)}
# Never worth a row: the object's own id, and bookkeeping the target already shows.
SKIPPED_KEYS = {"id"}

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class EntryRow:
    """One entry as people read it."""

    entry: Entry
    actor: str
    action: str
    object_type: str
    target: str
    target_url: str | None
    changes: list[Change] = field(default_factory=list)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _model_fields(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def _related_label(key: str, model_field: models.Field | None) -> str | None:
    if model_field is not None:
        if model_field.many_to_one or model_field.one_to_one:
            return model_field.related_model._meta.label_lower
        return None
    return EXTRA_RELATED.get(key)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Names:
    """Objects of several kinds fetched at once: one query per kind, whatever the number of ids."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.found: dict[str, dict[int, models.Model]] = {}

    def want(self, label: str, ids: Iterable[Any]) -> None:
        if label in TARGETS:
            self.wanted[label].update(pk for pk in map(_int, ids) if pk is not None)

    def fetch(self) -> None:
        for label, ids in self.wanted.items():
            model = _model(label)
            if model is None or not ids:
                continue
            queryset = model._default_manager.filter(pk__in=ids)
            if TARGETS[label].related:
                queryset = queryset.select_related(*TARGETS[label].related)
            self.found[label] = queryset.in_bulk()

    def get(self, label: str, pk: Any) -> models.Model | None:
        return self.found.get(label, {}).get(_int(pk))  # type: ignore[arg-type]

    def name(self, label: str, pk: Any) -> str:
        obj = self.get(label, pk)
        if obj is None:
            return _("no. %(number)s (no longer exists)") % {"number": pk}
        return TARGETS[label].label(obj)


def field_name(key: str, model_field: models.Field | None) -> str:
    """A field in words: the model's translated verbose_name, else the log's own word for the key."""
    if model_field is not None and isinstance(model_field.verbose_name, Promise):
        return capfirst(model_field.verbose_name)
    for candidate in (key, model_field.name if model_field is not None else None):
        if candidate in EXTRA_FIELD_NAMES:
            return capfirst(EXTRA_FIELD_NAMES[candidate])
    # Not reached for any field or key the code base writes today (tests/portal/test_audit_words.py).
    return capfirst(key.replace("_", " "))


def value_words(
    value: Any, *, key: str = "", model_field: models.Field | None = None, names: Names | None = None
) -> str:
    """A stored value in words: yes/no, a choice's label, a formatted date, a related object's name."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        base = getattr(model_field, "base_field", None) if model_field is not None else None
        return ", ".join(value_words(item, key=key, model_field=base or model_field, names=names) for item in value)
    related = _related_label(key, model_field)
    if isinstance(value, dict):
        # e.g. the votes of a closed proposal, {seat id: choice}: keys named like related ids.
        choices = EXTRA_CHOICES.get(key)
        return "; ".join(
            f"{names.name(related, item_key) if related and names else item_key}: "
            f"{capfirst(str(choices[item])) if choices and item in choices else value_words(item)}"
            for item_key, item in value.items()
        )
    if related is not None and names is not None and _int(value) is not None:
        return names.name(related, value)
    choices = (
        dict(model_field.flatchoices) if model_field is not None and model_field.choices else EXTRA_CHOICES.get(key)
    )
    if choices and value in choices:
        return capfirst(str(choices[value]))
    if isinstance(value, str):
        if _DATETIME.match(value) and (moment := parse_datetime(value)) is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        if _DATE.match(value) and (day := parse_date(value)) is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
    return str(value)


def changed_keys(before: Any, after: Any) -> list[str]:
    """The keys whose value differs (every key of a created or removed object), in recorded order."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = list(after) + [key for key in before if key not in after]
    return [
        key
        for key in keys
        if key not in SKIPPED_KEYS
        and before.get(key) != after.get(key)
        and not (before.get(key) in (None, "", [], {}) and after.get(key) in (None, "", [], {}))
    ]


def _fields_for(entry: Entry) -> dict[str, models.Field]:
    return _model_fields(_model(entry.object_type))


def entry_rows(entries: Sequence[Entry]) -> list[EntryRow]:
    """The entries in words, with every object they name fetched in one query per kind."""
    names = Names()
    for entry in entries:
        if entry.object_id:
            names.want(entry.object_type, [entry.object_id])
        fields = _fields_for(entry)
        for key in changed_keys(entry.before, entry.after):
            related = _related_label(key, fields.get(key))
            if related is None:
                continue
            for side in (entry.before, entry.after):
                value = side.get(key) if isinstance(side, dict) else None
                names.want(related, value if isinstance(value, list | dict) else [value])
    names.fetch()

    rows = []
    for entry in entries:
        target = TARGETS.get(entry.object_type)
        obj = names.get(entry.object_type, entry.object_id) if target else None
        fields = _fields_for(entry)
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        changes = [
            Change(
                field=field_name(key, fields.get(key)),
                before=value_words(before.get(key), key=key, model_field=fields.get(key), names=names),
                after=value_words(after.get(key), key=key, model_field=fields.get(key), names=names),
            )
            for key in changed_keys(entry.before, entry.after)
        ]
        rows.append(
            EntryRow(
                entry=entry,
                actor=entry.actor_label if entry.actor_id else str(SYSTEM_ACTOR),
                action=str(action_name(entry.action)),
                object_type=object_type_name(entry.object_type),
                target=target.label(obj) if obj is not None and target else entry.object_label,
                target_url=target.url(obj) if obj is not None and target else None,
                changes=changes,
            )
        )
    return rows
