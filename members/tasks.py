"""Periodic work of the register, run by Celery beat."""

from __future__ import annotations

from celery import shared_task


@shared_task
def certificate_expiry_warn() -> int:
    """Daily: warn providers whose live certificates expire soon (idempotent)."""
    from members.services import certificate_expiry_warn as warn

    return warn()
