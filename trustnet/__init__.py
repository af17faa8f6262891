"""trustnet: membership and configuration portal of the MPASSid trust network."""

from trustnet.celery import app as celery_app

__all__ = ("celery_app",)
