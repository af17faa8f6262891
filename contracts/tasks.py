from celery import shared_task

from contracts.services import memberships_end_due


@shared_task
def memberships_end() -> int:
    """Daily: end memberships whose end date has come (idempotent; catches up if run late)."""
    return memberships_end_due()
