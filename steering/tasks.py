"""Scheduled work of the steering group; each task calls one service."""

from celery import shared_task

from steering import services as steering_services


@shared_task
def steering_changes_apply() -> int:
    """Daily: members who did not leave move to the new version on its effective date (idempotent)."""
    return steering_services.changes_apply()


@shared_task
def steering_proposals_close_due() -> int:
    """Close the votes whose deadline has passed, so results do not wait for staff."""
    return len(steering_services.proposals_close_due())


@shared_task
def steering_vote_reminders_send() -> int:
    """Remind seats that have not voted two days before the deadline; once per seat and proposal."""
    return steering_services.proposals_remind()
