from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def email_send(*, recipient: str, subject: str, body: str, attachments: Sequence[Sequence[str]] = ()) -> int:
    """One message to one person: addresses are never disclosed to each other, and a retry
    after a failure resends to nobody who already got it. `attachments` are (filename, text,
    mimetype) triples, plain lists so that they pass through the broker as JSON."""
    message = EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send()
