"""Mail to seat holders (issue 16 item 9): when voting opens (with the deadline as an iCalendar
file), a reminder two days before the deadline to seats that have not voted, and the result."""

from __future__ import annotations

import datetime
import email

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from audit.models import Entry
from emails.calendar_event import ics_event, ics_fold
from steering import services as services
from steering import tasks as tasks
from steering.models import EligibleSeat, Seat, SteeringGroup
from tests.factories import OrganisationFactory, UserFactory
from tests.steering.test_close import vote_all

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


# --- helpers ---------------------------------------------------------------------------------


def parse_ics(text: str) -> dict[str, str]:
    """The VEVENT's properties of an iCalendar file, unfolded (RFC 5545 3.1), parameters dropped.
    Fails unless the file is one VCALENDAR holding one VEVENT."""
    lines = text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
    assert lines[-1] == "", "the file ends with CRLF"
    lines = lines[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    calendar = dict(line.split(":", 1) for line in lines[1 : lines.index("BEGIN:VEVENT")])
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    event_lines = lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")]
    event = {}
    for line in event_lines:
        name, value = line.split(":", 1)
        event[name.split(";", 1)[0]] = value
    return event


def ics_unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def utc(value: str) -> datetime.datetime:
    assert value.endswith("Z"), "times are given in UTC"
    return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)


def in_language(language: str, moment: datetime.datetime, fmt: str = "DATETIME_FORMAT") -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    with translation.override(language):
        return date_format(moment, fmt)


@pytest.fixture
def others(group, seats):
    """People who must get no mail: a former holder, a holder whose term has not begun, a holder in
    another group, and a user with no seat."""
    today = timezone.localdate()
    former = Seat.objects.create(
        group=group,
        holder=UserFactory(mfa=True),
        organisation=OrganisationFactory(),
        term_start=datetime.date(2018, 1, 1),
        term_end=today - DAY,
    )
    future = Seat.objects.create(
        group=group, holder=UserFactory(mfa=True), organisation=OrganisationFactory(), term_start=today + 10 * DAY
    )
    elsewhere = Seat.objects.create(
        group=SteeringGroup.objects.create(name="Toinen ryhmä"),
        holder=UserFactory(mfa=True),
        organisation=OrganisationFactory(),
        term_start=datetime.date(2020, 1, 1),
    )
    return [former.holder, future.holder, elsewhere.holder, UserFactory()]


@pytest.fixture
def languages(seats):
    """The five seat holders read Finnish, Swedish, English, Finnish and Swedish."""
    for seat, language in zip(seats, ["fi", "sv", "en", "fi", "sv"], strict=True):
        seat.holder.language = language
        seat.holder.save(update_fields=["language"])
    return {seat.holder.email: seat.holder.language for seat in seats}


@pytest.fixture
def opened(proposal, operator, others, languages, django_capture_on_commit_callbacks):
    """Open the proposal for a week, capturing the mail it sends."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return services.proposal_open(proposal=proposal, deadline=timezone.now() + 7 * DAY, by=operator)


def run_reminders(capture) -> int:
    with capture(execute=True):
        return tasks.steering_vote_reminders_send()


# --- voting opens ----------------------------------------------------------------------------


def test_voting_opened_mail_goes_to_exactly_the_current_seat_holders(opened, seats, others, operator):
    recipients = [message.to[0] for message in mail.outbox]
    assert sorted(recipients) == sorted(seat.holder.email for seat in seats)
    assert not {user.email for user in [*others, operator]} & set(recipients)


def test_voting_opened_mail_is_in_each_holders_language(opened, languages):
    assert len(mail.outbox) == 5
    for message in mail.outbox:
        language = languages[message.to[0]]
        assert in_language(language, opened.deadline) in message.body
        assert opened.title_in(language) in message.body and opened.title_in(language) in message.subject
        assert opened.rationale_in(language) in message.body
        assert f"{settings.SITE_URL}/steering/proposals/{opened.pk}/" in message.body
    bodies = {languages[message.to[0]]: message.body for message in mail.outbox}
    assert "Längre uppsägningstid" in bodies["sv"] and "Pidempi irtisanomisaika" not in bodies["sv"]
    assert "Pidempi irtisanomisaika" in bodies["fi"] and "Längre" not in bodies["fi"]
    # The deadline is written in each language's own words (month names, order).
    assert len({in_language(language, opened.deadline) for language in ("fi", "sv", "en")}) == 3


def test_voting_opened_mail_carries_the_deadline_as_a_calendar_event(opened, languages):
    uids = set()
    for message in mail.outbox:
        language = languages[message.to[0]]
        [(filename, content, mimetype)] = message.attachments
        assert filename.endswith(".ics") and mimetype == "text/calendar"
        assert "\n" not in content.replace("\r\n", ""), "every line ends in CRLF"
        assert all(len(line.encode()) <= 75 for line in content.split("\r\n"))
        event = parse_ics(content)
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= set(event)
        assert utc(event["DTEND"]) == opened.deadline.astimezone(datetime.UTC).replace(microsecond=0)
        assert utc(event["DTSTART"]) < utc(event["DTEND"])
        assert abs(utc(event["DTSTAMP"]) - timezone.now()) < datetime.timedelta(minutes=5)
        assert opened.title_in(language) in ics_unescape(event["SUMMARY"])
        assert event["URL"] == f"{settings.SITE_URL}/steering/proposals/{opened.pk}/"
        uids.add(event["UID"])
    # One event per proposal: a calendar that imports two copies keeps one.
    assert len(uids) == 1 and "@" in uids.pop()


def test_the_calendar_file_survives_being_sent(opened):
    message = mail.outbox[0].message()
    parsed = email.message_from_bytes(message.as_bytes())
    [part] = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert "BEGIN:VEVENT" in part.get_payload(decode=True).decode()
    assert part.get_filename().endswith(".ics")


def test_calendar_lines_are_folded_at_75_octets_without_splitting_characters():
    title = "Äänestys päättyy: " + "pitkä otsikko, jossa on ääkkösiä; ja pilkkuja " * 4
    start = datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.UTC)
    text = ics_event(uid="x@example.org", stamp=start, start=start, end=start + DAY, summary=title, description="a\nb")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines), "the long summary was folded"
    event = parse_ics(text)
    assert ics_unescape(event["SUMMARY"]) == title and ics_unescape(event["DESCRIPTION"]) == "a\nb"
    assert ics_fold("ä" * 40).split("\r\n")[0] == "ä" * 37  # 74 octets: a 38th ä would make 76


def test_an_event_must_end_after_it_starts():
    start = datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.UTC)
    with pytest.raises(ValueError):
        ics_event(uid="x@example.org", stamp=start, start=start, end=start, summary="x")


# --- the reminder ----------------------------------------------------------------------------


def test_no_reminder_before_the_two_day_point(opened, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with time_machine.travel(opened.deadline - 2 * DAY - datetime.timedelta(minutes=1), tick=False):
        assert run_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert not EligibleSeat.objects.filter(reminded_at__isnull=False).exists()


def test_reminder_goes_once_and_only_to_seats_that_have_not_voted(
    opened, seats, others, languages, django_capture_on_commit_callbacks
):
    vote_all(opened, seats, ["yes", "no", None, "abstain", None])
    mail.outbox.clear()
    moment = opened.deadline - 2 * DAY + datetime.timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        assert run_reminders(django_capture_on_commit_callbacks) == 2
        assert run_reminders(django_capture_on_commit_callbacks) == 0  # the task runs again: nothing
    with time_machine.travel(opened.deadline - DAY, tick=False):
        assert run_reminders(django_capture_on_commit_callbacks) == 0  # nor a day later
    assert sorted(message.to[0] for message in mail.outbox) == sorted([seats[2].holder.email, seats[4].holder.email])
    for message in mail.outbox:
        language = languages[message.to[0]]
        assert in_language(language, opened.deadline) in message.body
        assert opened.title_in(language) in message.subject
    reminded = EligibleSeat.objects.filter(proposal=opened, reminded_at__isnull=False)
    assert {eligible.seat_id for eligible in reminded} == {seats[2].pk, seats[4].pk}
    assert Entry.objects.filter(action="proposal.remind").count() == 1


def test_no_reminder_after_the_deadline_nor_when_voting_opened_within_two_days(
    proposal, operator, seats, django_capture_on_commit_callbacks
):
    proposal = services.proposal_open(proposal=proposal, deadline=timezone.now() + DAY, by=operator)
    mail.outbox.clear()
    assert run_reminders(django_capture_on_commit_callbacks) == 0  # the opening mail was the reminder
    with time_machine.travel(proposal.deadline + datetime.timedelta(minutes=1), tick=False):
        assert run_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_the_reminder_runs_hourly_from_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["steering-vote-reminders-send"]
    assert entry["task"] == "steering.tasks.steering_vote_reminders_send"
    assert tasks.steering_vote_reminders_send.name == entry["task"]
    assert entry["schedule"].hour == set(range(24))


# --- the result ------------------------------------------------------------------------------


def close(proposal, operator, capture):
    mail.outbox.clear()
    with time_machine.travel(proposal.deadline), capture(execute=True):
        return services.proposal_close(proposal=proposal, by=operator)


def result_mails(seats):
    holders = {seat.holder.email for seat in seats}
    return {message.to[0]: message for message in mail.outbox if message.to[0] in holders}


def test_result_goes_to_exactly_the_seat_holders_in_their_language(
    opened, seats, others, languages, operator, django_capture_on_commit_callbacks
):
    vote_all(opened, seats, ["yes"] * 4 + ["no"])
    proposal = close(opened, operator, django_capture_on_commit_callbacks)
    results = result_mails(seats)
    assert sorted(results) == sorted(seat.holder.email for seat in seats)
    sent_to = {message.to[0] for message in mail.outbox}
    assert not {user.email for user in others} & sent_to
    for address, message in results.items():
        language = languages[address]
        assert proposal.title_in(language) in message.subject and proposal.title_in(language) in message.body
        assert in_language(language, proposal.effective_date, "DATE_FORMAT") in message.body
    english = next(message for address, message in results.items() if languages[address] == "en")
    assert "The change was approved by a qualified majority" in english.body
    assert "Yes: 4" in english.body and "No: 1" in english.body and "Did not vote: 0" in english.body


def test_result_says_in_words_when_the_majority_was_not_reached(
    opened, seats, languages, operator, django_capture_on_commit_callbacks
):
    vote_all(opened, seats, ["yes", "yes", "no", "no", "abstain"])
    close(opened, operator, django_capture_on_commit_callbacks)
    english = next(message for address, message in result_mails(seats).items() if languages[address] == "en")
    assert "Change not approved" in english.subject
    assert "it did not get the qualified majority" in english.body
    assert "Abstained: 1" in english.body


def test_result_says_in_words_when_too_few_voted(
    opened, seats, languages, operator, django_capture_on_commit_callbacks
):
    vote_all(opened, seats, ["yes", "yes"])
    close(opened, operator, django_capture_on_commit_callbacks)
    english = next(message for address, message in result_mails(seats).items() if languages[address] == "en")
    assert "too few seats voted" in english.body and "no quorum" in english.body
    assert "Did not vote: 3" in english.body and "approved by" not in english.body


def test_the_scheduled_close_sends_the_result_too(opened, seats, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with time_machine.travel(opened.deadline + DAY), django_capture_on_commit_callbacks(execute=True):
        tasks.steering_proposals_close_due()
    assert sorted(result_mails(seats)) == sorted(seat.holder.email for seat in seats)
