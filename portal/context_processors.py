from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from members.access import organisation_ids_of
from steering.access import holds_seat

# The operator's sections, in the order the header shows them.
OPERATOR_LINKS = [
    ("portal:staff-dashboard", _("Operator")),
    ("members:organisation-list", _("Organisations")),
    ("members:service-list", _("Services")),
    ("members:review-queue", _("Review")),
    ("contracts:staff-membership-list", _("Agreements")),
    ("steering:staff-home", _("Steering group")),
    ("proxy:snapshot-list", _("Proxy configuration")),
    ("portal:audit-log", _("Audit log")),
]


@dataclass
class NavLink:
    url: str
    label: str | Promise
    # aria-current: "page" on the page itself, "true" on the section a page below it belongs to.
    current: str = ""


def _mark_current(links: list[NavLink], path: str) -> None:
    """Mark the one link the page at `path` is, or else the one whose section (longest URL prefix)
    it is in, so that a section inside another (/staff/steering/ in /staff/) wins over it."""
    for link in links:
        if link.url == path:
            link.current = "page"
            return
    sections = [link for link in links if link.url != "/" and path.startswith(link.url)]
    if sections:
        max(sections, key=lambda link: len(link.url)).current = "true"


def navigation(request: HttpRequest) -> dict:
    """What the header navigation shows (links and which one is the current page); computed only
    if a template asks."""

    def build() -> dict:
        user = request.user
        if not user.is_authenticated:
            account = [NavLink(reverse("account_login"), _("Log in"))]
            _mark_current(account, request.path)
            return {
                "is_operator": False,
                "has_organisations": False,
                "is_seat_holder": False,
                "links": [],
                "account_links": account,
            }
        has_organisations = bool(organisation_ids_of(user))
        is_seat_holder = holds_seat(user)
        links = [NavLink(reverse(name), label) for name, label in OPERATOR_LINKS] if user.is_staff else []
        if has_organisations:
            links.append(NavLink(reverse("portal:member-dashboard"), _("My organisations")))
        if is_seat_holder:
            links.append(NavLink(reverse("portal:steering-dashboard"), _("Steering group")))
        account = [
            NavLink(reverse("accounts:profile"), user.get_short_name()),
            NavLink(reverse("mfa_index"), _("Two-factor authentication")),
        ]
        _mark_current(links + account, request.path)
        return {
            "is_operator": user.is_staff,
            "has_organisations": has_organisations,
            "is_seat_holder": is_seat_holder,
            "links": links,
            "account_links": account,
        }

    return {"nav": SimpleLazyObject(build)}
