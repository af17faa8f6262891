import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from audit.heads import chain_head_export
from audit.verify import audit_chain_verify
from emails.sending import email_queue_to_users

logger = logging.getLogger(__name__)


def _staff():
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def _alert_broken(problem: object) -> None:
    logger.error("Audit chain broken: %s", problem)
    email_queue_to_users(users=_staff(), template="audit_broken", context={"problem": str(problem)})


@shared_task
def audit_chain_check() -> bool:
    """Daily: verify the chain and alert operator staff if it is broken."""
    report = audit_chain_verify()
    if not report.ok:
        _alert_broken(report.problem)
    return report.ok


@shared_task
def audit_head_export() -> str | None:
    """Daily: export the chain head out of the database (log line, storage object, staff email).

    The email is a copy nobody with database access can take back: staff keep it, and a head
    that no longer fits the log shows that entries were removed or rewritten. A chain that does
    not verify is not exported (a new head would vouch for the tampered log and become the one
    audit_verify compares with): staff get the broken-chain alert instead, and None is returned."""
    report = audit_chain_verify()
    if not report.ok:
        _alert_broken(report.problem)
        return None
    head, name = chain_head_export()
    email_queue_to_users(
        users=_staff(),
        template="audit_head",
        context={"entry_id": head.entry_id, "mac": head.mac, "length": head.length, "exported_at": head.exported_at},
    )
    return name
