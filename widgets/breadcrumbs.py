"""Breadcrumbs on detail pages (issue 16 item 7): where a page is, from the reader's dashboard down.

A view passes `breadcrumbs=breadcrumb_trail(request, (label, url), ...)` in its context; base.html
shows it through templates/_breadcrumbs.html. The trail starts at the staff dashboard for operator
staff and at "My organisations" for a member's user (a seat holder's pages pass their own start);
the last crumb is the page itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise


@dataclass(frozen=True)
class Crumb:
    label: Label
    url: str


# The dashboards a trail can start at: the same names the header navigation gives them.
STAFF_START = ("portal:staff-dashboard", _("Operator"))
MEMBER_START = ("portal:member-dashboard", _("My organisations"))
STEERING_START = ("portal:steering-dashboard", _("Steering group"))


def breadcrumb_trail(
    request: HttpRequest, *crumbs: tuple[Label, str], start: tuple[str, Label] | None = None
) -> list[Crumb]:
    """The reader's dashboard, then `crumbs` ((label, url) pairs, the page itself last).

    `start` (a URL name and its label) replaces the dashboard the reader's role gives.
    """
    if start is None:
        start = STAFF_START if request.user.is_staff else MEMBER_START
    name, label = start
    return [Crumb(label, reverse(name)), *(Crumb(label, url) for label, url in crumbs)]
