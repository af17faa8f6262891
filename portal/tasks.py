from celery import shared_task


@shared_task
def ping() -> str:
    """Round trip through the broker; used by the health check of a real worker."""
    return "pong"
