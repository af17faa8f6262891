"""Status of what the site depends on, for load balancers and monitoring."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def database_status() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def cache_status() -> str:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")
    return "ok"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not configured: tasks run in-process"
    from trustnet.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": database_status, "cache": cache_status, "broker": broker_status}


def health_report() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # a health check reports every failure, whatever its kind
            healthy = False
            results[name] = f"error: {type(error).__name__}: {error}"[:300]
    return healthy, results
