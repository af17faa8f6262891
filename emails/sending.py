"""Email to people, rendered in the recipient's language and sent by a worker after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from emails.tasks import email_send

# (filename, text content, mimetype) of one attachment.
Attachment = tuple[str, str, str]


def email_render(*, template: str, context: Mapping[str, Any], language: str) -> tuple[str, str]:
    """(subject, body) from `templates/emails/<template>_subject.txt` and `<template>.txt`."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", full_context).strip()
        body = render_to_string(f"emails/{template}.txt", full_context)
    return " ".join(subject.split()), body


def email_queue(
    *,
    to: Iterable[str],
    template: str,
    context: Mapping[str, Any],
    language: str,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Render now (so the worker needs no database objects) and send once the transaction commits."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject, body = email_render(template=template, context=context, language=language)
    files = [list(attachment) for attachment in attachments]
    for recipient in recipients:
        email_send.delay_on_commit(recipient=recipient, subject=subject, body=body, attachments=files)


def email_queue_to_users(
    *,
    users: Iterable[Any],
    template: str,
    context: Mapping[str, Any],
    attachments: Callable[[str], Sequence[Attachment]] | None = None,
) -> None:
    """One email per language group, so each person reads it in their own language.

    `attachments(language)` makes the files for one language group; it is called with that
    language active, so anything it translates reads in the recipients' language too.
    """
    by_language: dict[str, list[str]] = {}
    for user in users:
        by_language.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user.email)
    for language, addresses in by_language.items():
        files: Sequence[Attachment] = ()
        if attachments is not None:
            with translation.override(language):
                files = attachments(language)
        email_queue(to=addresses, template=template, context=context, language=language, attachments=files)
