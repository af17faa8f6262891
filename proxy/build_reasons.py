"""Why a build ran and what its stages were, in words (fi/sv/en) for the staff pages.

A snapshot stores its trigger as the code it was requested with ("register: service approved",
"membership: in_force", "manual rebuild"): the code stays stable for the audit log and for
search, and only the pages translate it. A test (tests/proxy/test_build_reasons.py) collects
every reason the code base passes when it asks for a build and fails if one has no phrase here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# What a domain app sends with `members.signals.register_changed` (reason=...): the receiver
# stores it as "register: <reason>".
REGISTER_REASONS: dict[str, Promise] = {
    "home organisation changed": _("a home organisation was changed"),
    "contact changed": _("a contact was changed"),
    "contact removed": _("a contact was removed"),
    "school changed": _("a school was changed"),
    "school closed": _("a school was closed"),
    "school reopened": _("a school was reopened"),
    "school removed": _("a school was removed"),
    "office changed": _("a school office was changed"),
    "office removed": _("a school office was removed"),
    "schools imported": _("schools were imported"),
    "login source changed": _("a login source was changed"),
    "login source removed": _("a login source was removed"),
    "login source attribute mapping changed": _("a login source's attribute mapping was changed"),
    "login source approved": _("a login source was approved for production"),
    "login source's login page changed": _("what the login page shows for a login source was changed"),
    "allowed services changed": _("the services a home organisation allows were changed"),
    "service approved": _("a service was approved"),
    "service withdrawn": _("a service was withdrawn"),
    "client secret rotated": _("an OIDC client secret was rotated"),
    "a previous client secret expired": _("a previous OIDC client secret expired"),
    "organisation register sync": _("the organisation register was synchronised"),
}

# What contracts sends with `contracts.signals.membership_changed` (reason=...): stored as
# "membership: <event>".
MEMBERSHIP_EVENTS: dict[str, Promise] = {
    "in_force": _("a membership came into force"),
    "notice": _("notice was given on a membership"),
    "notice_withdrawn": _("a notice on a membership was withdrawn"),
    "ended": _("a membership ended"),
}

# Whole triggers passed to `snapshot_build` or `proxy_build_schedule` as they are.
TRIGGERS: dict[str, Promise] = {
    "manual rebuild": _("Rebuilt by staff"),
    "scheduled refresh": _("Scheduled refresh"),
    "proxy key registered": _("A proxy public key was registered"),
    "demo": _("Demo data loaded"),
    "register changed": _("The register changed"),
    "membership changed": _("A membership changed"),
    "benchmark: full build": _("Benchmark: full build"),
    "benchmark: one service changed": _("Benchmark: one service changed"),
    "benchmark: http": _("Benchmark: serving over HTTP"),
}

# Keys of `Snapshot.report["timings"]`, in the order the build runs them.
STAGES: dict[str, Promise] = {
    "read_inputs": _("Reading the register"),
    "render": _("Rendering the files"),
    "sign": _("Signing the metadata"),
    "validate": _("Checking schema, signature and consistency"),
    "store": _("Storing the files"),
}


def trigger_phrase(trigger: str) -> str:
    """The build reason in the active language; an unknown code (a test's, an old row's) as
    it was stored, since it is free text someone wrote, not an identifier."""
    if trigger in TRIGGERS:
        return str(TRIGGERS[trigger])
    source, _sep, detail = trigger.partition(": ")
    if source == "register" and detail in REGISTER_REASONS:
        return gettext("The register changed: %(what)s") % {"what": REGISTER_REASONS[detail]}
    if source == "membership" and detail in MEMBERSHIP_EVENTS:
        return gettext("Membership change: %(what)s") % {"what": MEMBERSHIP_EVENTS[detail]}
    return trigger


def has_phrase(trigger: str) -> bool:
    """Whether `trigger_phrase` translates this trigger (rather than showing it as stored)."""
    if trigger in TRIGGERS:
        return True
    source, _sep, detail = trigger.partition(": ")
    return (source == "register" and detail in REGISTER_REASONS) or (
        source == "membership" and detail in MEMBERSHIP_EVENTS
    )


def stage_phrase(stage: str) -> str:
    """A build stage in words; an unknown one (a future stage) as stored."""
    return str(STAGES.get(stage, stage))
