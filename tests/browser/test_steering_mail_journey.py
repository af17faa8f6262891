"""Steering-group mail in a real browser (issue 16 item 9): staff open a vote at 1280 px; every
seat holder gets the opening email in their own language with the deadline as an `.ics`; a
Swedish-speaking holder follows the email's link on a 375 px phone and votes; two days before the
deadline only the holder who has not voted is reminded; staff close the vote and everyone gets
the result in their language."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import translation

from contracts.models import AgreementVersion
from steering import services as steering_services
from steering import tasks as steering_tasks
from steering.models import SteeringGroup
from tests.browser.conftest import assert_accessible, login
from tests.factories import AgreementVersionFactory, SeatFactory
from tests.steering.test_mail import parse_ics, utc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
CREATED = datetime.datetime(2027, 2, 1, 9, 0, tzinfo=HELSINKI)
DEADLINE = datetime.datetime(2027, 2, 15, 16, 0, tzinfo=HELSINKI)
TITLE = {"fi": "Tietosuojaehtojen päivitys", "sv": "Uppdatering av dataskyddsvillkoren"}


def _subject(template: str, language: str, **context) -> str:
    """What the subject reads in `language`, from the same catalogue the mail is written with."""
    with translation.override(language):
        return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + translation.gettext(template) % context


def _mail_to(email: str) -> list:
    return [message for message in mail.outbox if message.to == [email]]


def test_seat_holders_are_mailed_in_their_language_and_vote_from_the_link_on_a_phone(page, site, operator):
    group = SteeringGroup.objects.create(name="MPASSid-ohjausryhmä")
    finnish, swedish = SeatFactory(group=group), SeatFactory(group=group)
    finnish.holder.language, swedish.holder.language = "fi", "sv"
    finnish.holder.save(update_fields=["language"])
    swedish.holder.save(update_fields=["language"])
    AgreementVersionFactory(text_fi="1 §\nVanha ehto.", text_sv="1 §\nGammalt villkor.")
    draft = AgreementVersionFactory(
        state=AgreementVersion.State.DRAFT, published_at=None,
        text_fi="1 §\nUusi ehto.", text_sv="1 §\nNytt villkor.",
    )  # fmt: skip
    with time_machine.travel(CREATED, tick=False):
        proposal = steering_services.proposal_create(
            group=group, version=draft, title_fi=TITLE["fi"], title_sv=TITLE["sv"],
            rationale_fi="Tietosuoja-asetus.", rationale_sv="Dataskyddsförordningen.",
            effective_date=datetime.date(2027, 6, 1), by=operator,
        )  # fmt: skip

    # Staff open the vote through the page, at desktop width.
    with time_machine.travel(CREATED, tick=True):
        page.set_viewport_size({"width": 1280, "height": 900})
        login(page, site, operator.email, mfa=True, language="en")
        page.goto(f"{site}/staff/steering/proposals/{proposal.pk}/")
        page.get_by_label("Voting deadline").fill("2027-02-15T16:00")
        mail.outbox.clear()
        page.get_by_role("button", name="Open voting").click()
        page.wait_for_load_state()
        assert_accessible(page, "steering-mail-vote-opened-1280")

    # Each holder: one email in their language, the deadline attached as a calendar event.
    for seat, language in ((finnish, "fi"), (swedish, "sv")):
        (opened,) = _mail_to(seat.holder.email)
        assert opened.subject == _subject("Vote now in the steering group: %(title)s", language, title=TITLE[language])
        (attachment,) = opened.attachments
        name, text, mimetype = attachment
        assert (name, mimetype) == ("vote-deadline.ics", "text/calendar")
        assert utc(parse_ics(text)["DTEND"]) == DEADLINE.astimezone(datetime.UTC)  # the event ends at the deadline

    # The Swedish holder opens the link of the email on a phone and votes there.
    link = re.search(r"https?://\S+?(/steering/proposals/\d+/)", _mail_to(swedish.holder.email)[0].body)
    assert link, "the email links to the proposal"
    with time_machine.travel(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=HELSINKI), tick=True):
        page.context.clear_cookies()
        page.set_viewport_size({"width": 375, "height": 812})
        page.on("dialog", lambda dialog: dialog.accept())
        login(page, site, swedish.holder.email, mfa=True, language="sv")
        page.goto(f"{site}{link.group(1)}")
        assert TITLE["sv"] in page.locator("main h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        panel = page.locator("#vote-panel")
        panel.get_by_label("Ja", exact=True).check()
        panel.get_by_role("button", name="Rösta").click()
        panel.get_by_role("button", name="Ändra min röst").wait_for()
        assert_accessible(page, "steering-mail-voted-375")

    # Two days before the deadline: only the holder who has not voted is reminded, in Finnish.
    mail.outbox.clear()
    with time_machine.travel(DEADLINE - datetime.timedelta(days=1, hours=20), tick=False):
        assert steering_tasks.steering_vote_reminders_send() == 1
    assert [message.to for message in mail.outbox] == [[finnish.holder.email]]
    assert mail.outbox[0].subject == _subject("Reminder: you have not voted yet on %(title)s", "fi", title=TITLE["fi"])

    # After the deadline staff close the vote; the result reaches both in their language.
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2027, 2, 16, 9, 0, tzinfo=HELSINKI), tick=True):
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1280, "height": 900})
        login(page, site, operator.email, mfa=True, language="en")
        page.goto(f"{site}/staff/steering/proposals/{proposal.pk}/")
        page.get_by_role("button", name="Close voting and record the result").click()
        page.wait_for_load_state()
        assert_accessible(page, "steering-mail-closed-1280")
    proposal.refresh_from_db()
    result = "Change approved: %(title)s" if proposal.passed else "Change not approved: %(title)s"
    for seat, language in ((finnish, "fi"), (swedish, "sv")):
        (message,) = _mail_to(seat.holder.email)
        assert message.subject == _subject(result, language, title=TITLE[language])
