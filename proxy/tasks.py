"""Builds run in a worker: scheduled after commit, debounced, one builder at a time."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from proxy.inputs import ENVIRONMENTS
from trustnet.celery import app


def _pending_key(environment: str) -> str:
    return f"proxy:build-pending:{environment}"


def proxy_build_schedule(*, environment: str | None, trigger: str) -> None:
    """Ask for a build of one environment (None: both) once the current transaction commits.

    Debounced: while a build is already waiting for an environment, further changes join it
    (the build reads the register when it starts, so it sees them all).
    """
    for env in [environment] if environment else list(ENVIRONMENTS):

        def enqueue(env: str = env) -> None:
            # add() is atomic in Redis: only the first change in the window enqueues a task.
            if cache.add(_pending_key(env), trigger, timeout=settings.PROXY_BUILD_DEBOUNCE_SECONDS + 300):
                proxy_build.apply_async(
                    kwargs={"environment": env, "trigger": trigger}, countdown=settings.PROXY_BUILD_DEBOUNCE_SECONDS
                )

        transaction.on_commit(enqueue)


# Bound to the project's app, not shared_task: another Celery() made in the same process (a client
# of a real worker in the tests) must not become the app these tasks are sent through.
@app.task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def proxy_build(*, environment: str, trigger: str) -> int:
    """Build (and publish, if valid) one environment; returns the snapshot id in service or built."""
    from proxy.services import snapshot_build

    # Cleared before reading the register, so a change made during this build schedules another.
    cache.delete(_pending_key(environment))
    return snapshot_build(environment=environment, trigger=trigger).pk


@app.task
def proxy_refresh() -> list[int]:
    """Periodic: rebuild both environments. Unchanged content is re-signed only when less than
    half its validity is left, so this is cheap and keeps ETags stable between polls."""
    from proxy.services import snapshot_build

    built = [snapshot_build(environment=env, trigger="scheduled refresh").pk for env in ENVIRONMENTS]
    # An unchanged snapshot stays in service without being published again: re-sign the MDQ
    # documents of what is in service that are past half their validity (cheap when none is).
    for env in ENVIRONMENTS:
        proxy_entity_documents_schedule(environment=env)
    return built


def proxy_entity_documents_schedule(*, environment: str) -> None:
    """Sign the MDQ documents of the snapshot in service of `environment` once this transaction commits."""
    from proxy.services import current_snapshot

    snapshot = current_snapshot(environment)
    if snapshot is not None:
        proxy_entity_documents.delay_on_commit(snapshot_id=snapshot.pk)


@app.task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def proxy_entity_documents(*, snapshot_id: int) -> dict:
    """Sign, verify and store the per-entity MDQ documents of a published snapshot (DESIGN
    section 5: the MDQ endpoint only serves stored documents, it never signs in a request)."""
    from proxy.services import entity_documents_sign

    return entity_documents_sign(snapshot_id=snapshot_id)


@app.task
def proxy_prune() -> dict:
    """Daily: delete snapshots past their retention and the caches only they used. Safe to run
    twice or concurrently: it takes the builder lock and a second run finds nothing to delete."""
    from dataclasses import asdict

    from proxy.services import snapshot_prune

    return asdict(snapshot_prune())
