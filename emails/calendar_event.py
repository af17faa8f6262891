"""A calendar event as an iCalendar file (RFC 5545) to attach to an email, written by hand: one
VEVENT needs no library. Pure: no database, no settings."""

from __future__ import annotations

import datetime

CRLF = "\r\n"
# RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets, excluding the line break.
MAX_LINE_OCTETS = 75


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_utc(moment: datetime.datetime) -> str:
    """A DATE-TIME in UTC form (`…Z`), so the file needs no VTIMEZONE."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_fold(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 3.1): each continuation starts with a space,
    and a multi-octet UTF-8 character is never split."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            # The leading space of a continuation counts towards its 75 octets.
            current, size, limit = " ", 1, MAX_LINE_OCTETS
        current += char
        size += width
    parts.append(current)
    return CRLF.join(parts)


def ics_event(
    *,
    uid: str,
    stamp: datetime.datetime,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    description: str = "",
    url: str = "",
    product: str = "-//trustnet//steering//EN",
) -> str:
    """A VCALENDAR with one VEVENT (METHOD:PUBLISH: for the reader's calendar, not an invitation
    to answer). Every line ends in CRLF and is folded at 75 octets."""
    if end <= start:
        raise ValueError("an event must end after it starts (RFC 5545 3.8.2.2)")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{ics_utc(stamp)}",
        f"DTSTART:{ics_utc(start)}",
        f"DTEND:{ics_utc(end)}",
        f"SUMMARY:{ics_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{ics_text(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT", "END:VCALENDAR"]
    return "".join(ics_fold(line) + CRLF for line in lines)
