"""Breadcrumbs on proposal pages (issue 16 item 7): a seat holder's start at the steering group's
dashboard, the operator's at the staff dashboard through the steering group's page."""

from __future__ import annotations

from django.urls import reverse

from tests.breadcrumbs import assert_trail


def test_staff_see_a_proposal_under_the_steering_group(operator, as_user, proposal):
    body = as_user(operator).get(reverse("steering:staff-proposal", args=[proposal.pk])).content.decode()
    trail = assert_trail(body, "Operator", "Steering group", proposal.title)
    assert trail[1][1] == reverse("steering:staff-home")


def test_a_seat_holder_sees_a_proposal_under_their_steering_dashboard(as_user, open_proposal, seats):
    body = as_user(seats[0].holder).get(reverse("steering:proposal", args=[open_proposal.pk])).content.decode()
    trail = assert_trail(body, "Steering group", open_proposal.title)
    assert trail[0][1] == reverse("portal:steering-dashboard")
