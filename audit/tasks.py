import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from audit.verify import audit_chain_verify
from emails.sending import email_queue_to_users

logger = logging.getLogger(__name__)


@shared_task
def audit_chain_check() -> bool:
    """Daily: verify the chain and alert operator staff if it is broken."""
    report = audit_chain_verify()
    if not report.ok:
        logger.error("Audit chain broken: %s", report.problem)
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        email_queue_to_users(users=staff, template="audit_broken", context={"problem": str(report.problem)})
    return report.ok
