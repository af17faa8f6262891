"""Writes of the proxy app: building and publishing snapshots, proxy tokens."""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from trustnet.audit.services import audit_record
from trustnet.proxy import build, signing
from trustnet.proxy.inputs import ProxyInputs
from trustnet.proxy.models import ProxyToken, Publication, Snapshot, token_hash

logger = logging.getLogger(__name__)

# One builder at a time across all machines (PostgreSQL advisory lock; "trustnet" in ASCII).
BUILDER_LOCK = 0x7472757374


class PublishRefused(Exception):
    """The snapshot may not be put in service (failed, expired or tampered with)."""


def _builder_lock() -> None:
    """Wait for the builder lock, held until the surrounding transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUILDER_LOCK])


def current_snapshot(environment: str) -> Snapshot | None:
    publication = Publication.objects.select_related("snapshot").filter(environment=environment).first()
    return publication.snapshot if publication else None


def _needs_resign(snapshot: Snapshot, now: datetime.datetime) -> bool:
    """DESIGN section 5: re-sign unchanged content only when less than half the validity is left."""
    return snapshot.valid_until is None or snapshot.valid_until - now < settings.PROXY_VALIDITY / 2


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a build: a build allocates millions of
    short-lived objects over a heap of hundreds of MB (the fragments and values kept between
    builds), and full collections over that heap were up to a quarter of a one-service change.
    Nothing a build makes is cyclic garbage that must go before it ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def snapshot_build(
    *,
    environment: str,
    trigger: str,
    by: Any = None,
    on: datetime.date | None = None,
    force: bool = False,
    collect: Callable[..., ProxyInputs] | None = None,
) -> Snapshot:
    """Build, check and (if every gate passes) publish a snapshot of one environment.

    Idempotent: when the content equals the snapshot in service, which still has more than half
    its validity, that snapshot is returned and nothing is written (unless `force`). A failing
    build is stored as `failed` for inspection, staff are alerted, and the snapshot in service
    stays in service.
    """
    with _gc_paused(), transaction.atomic():
        _builder_lock()
        now = timezone.now()
        on = on or timezone.localdate()
        timings: dict[str, float] = {}

        try:
            started = time.perf_counter()
            inputs = build.read_inputs(environment=environment, on=on, collect=collect)
            timings["read_inputs"] = time.perf_counter() - started
            started = time.perf_counter()
            rendered = build.render(inputs)
            timings["render"] = time.perf_counter() - started
        except Exception as error:
            # Bad inputs still leave a failed snapshot for staff to read; nothing is published.
            logger.exception("proxy inputs of %s could not be rendered", environment)
            snapshot = Snapshot.objects.create(
                environment=environment,
                created_at=now,
                created_by=by if by is not None and by.is_authenticated else None,
                trigger=trigger[:200],
                status=Snapshot.Status.FAILED,
                errors=[f"inputs could not be rendered: {type(error).__name__}: {error}"],
            )
            audit_record(actor=by, action="proxy.snapshot_failed", obj=snapshot, after={"errors": snapshot.errors})
            _alert_staff(snapshot)
            return snapshot

        current = current_snapshot(environment)
        material = signing.signing_material()
        if (
            not force
            and current is not None
            and current.content_hash == rendered.content_hash
            and current.cert_fingerprint == material.cert_fingerprint
            and not _needs_resign(current, now)
        ):
            return current

        snapshot = Snapshot.objects.create(
            environment=environment,
            created_at=now,
            created_by=by if by is not None and by.is_authenticated else None,
            trigger=trigger[:200],
            content_hash=rendered.content_hash,
            service_count=len(inputs.services),
            entity_count=len(rendered.saml_services),
        )
        errors: list[str] = []
        signed = None
        try:
            started = time.perf_counter()
            signed = build.sign(rendered, now=now)
            timings["sign"] = time.perf_counter() - started
            started = time.perf_counter()
            errors = build.validate(rendered, signed)
            timings["validate"] = time.perf_counter() - started
        except Exception as error:
            logger.exception("proxy build of %s failed", environment)
            errors = [f"build failed: {type(error).__name__}: {error}"]

        started = time.perf_counter()
        outputs = {
            "attribute-filter.xml": rendered.attribute_filter,
            "satosa-attribute-policy.yaml": rendered.satosa_policy,
            "config.json": rendered.config,
            "index.json": build.index_json(rendered, signed, inputs),
        }
        if signed is not None:
            outputs["metadata.xml"] = signed.metadata
            snapshot.document_id = signed.document_id
            snapshot.signed_at = signed.signed_at
            snapshot.valid_until = signed.valid_until
            snapshot.cert_fingerprint = signed.cert_fingerprint
        build.store(snapshot, outputs)
        timings["store"] = time.perf_counter() - started

        snapshot.errors = errors
        snapshot.status = Snapshot.Status.FAILED if errors else Snapshot.Status.VALID
        snapshot.report = {
            "timings": {name: round(seconds, 4) for name, seconds in timings.items()},
            "new_fragments": rendered.new_fragments,
            "home_organisations": len(inputs.home_organisations),
        }
        snapshot.save()
        audit_record(
            actor=by,
            action="proxy.snapshot_built" if not errors else "proxy.snapshot_failed",
            obj=snapshot,
            after={
                "environment": environment,
                "trigger": snapshot.trigger,
                "content_hash": snapshot.content_hash,
                "errors": errors[:20],
            },
        )
        if errors:
            _alert_staff(snapshot)
            return snapshot
        snapshot_publish(snapshot=snapshot, by=by, verified=True)
        return snapshot


def _alert_staff(snapshot: Snapshot) -> None:
    from trustnet.accounts.models import User
    from trustnet.portal.emails import email_queue_to_users

    staff = User.objects.filter(is_staff=True, is_active=True)
    email_queue_to_users(
        users=staff,
        template="proxy_build_failed",
        context={
            "environment": snapshot.environment,
            "snapshot_id": snapshot.pk,
            "errors": snapshot.errors[:10],
            "path": f"/proxy/staff/snapshots/{snapshot.pk}/",
        },
    )


@transaction.atomic
def snapshot_publish(*, snapshot: Snapshot, by: Any = None, verified: bool = False) -> Publication:
    """Put a valid snapshot in service (also how staff roll back to an earlier good snapshot).

    Refuses failed or expired snapshots and any whose stored files no longer match their hashes
    or whose metadata signature does not verify.
    """
    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
    if snapshot.status != Snapshot.Status.VALID:
        raise PublishRefused(f"snapshot {snapshot.pk} did not pass its checks")
    now = timezone.now()
    if snapshot.valid_until is None or snapshot.valid_until <= now:
        raise PublishRefused(f"snapshot {snapshot.pk} has expired")
    try:
        # A snapshot just built and checked in this transaction is not read back again.
        for name in [] if verified else snapshot.files:
            data = build.read_file(snapshot, name)
            if name == "metadata.xml":
                signing.verify_digest_and_value(data, signing.signing_material().cert)
    except build.TamperedSnapshot as error:
        raise PublishRefused(str(error)) from error
    except Exception as error:
        raise PublishRefused(f"snapshot {snapshot.pk}: {error}") from error

    publication = Publication.objects.select_for_update().filter(environment=snapshot.environment).first()
    before = {"snapshot": publication.snapshot_id} if publication else None
    if publication is None:
        publication = Publication(environment=snapshot.environment)
    publication.snapshot = snapshot
    publication.published_at = now
    publication.published_by = by if by is not None and by.is_authenticated else None
    publication.save()
    # The per-entity MDQ documents are signed by a worker once this is committed, not in the
    # build (it must not wait for 10,000 signatures) and never in a request.
    from trustnet.proxy.tasks import proxy_entity_documents

    proxy_entity_documents.delay_on_commit(snapshot_id=snapshot.pk)
    audit_record(
        actor=by,
        action="proxy.published",
        obj=snapshot,
        before=before,
        after={
            "environment": snapshot.environment,
            "snapshot": snapshot.pk,
            "content_hash": snapshot.content_hash,
            "metadata_sha256": snapshot.files.get("metadata.xml", {}).get("sha256", ""),
            "valid_until": snapshot.valid_until,
        },
    )
    return publication


def entity_documents_sign(*, snapshot_id: int) -> dict:
    """Sign the MDQ documents of a snapshot's entities that are missing or past half their
    validity (`build.sign_entity_documents`); only while the snapshot is in service.

    The entities and their fragment keys come from the snapshot's stored, hash-checked index, so
    the documents are exactly those of the published content. Returns counts for the task result.
    """
    snapshot = Snapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None or current_snapshot(snapshot.environment) != snapshot:
        return {"skipped": "not in service"}
    if signing.signing_material().cert_fingerprint != snapshot.cert_fingerprint:
        # The next build re-signs everything with the new key and schedules this again.
        return {"skipped": "signed with another certificate"}
    entities = json.loads(build.read_file(snapshot, "index.json"))["entities"]
    report = build.sign_entity_documents(
        fragment_keys={entity_id: entry["fragment"] for entity_id, entry in entities.items()}, now=timezone.now()
    )
    if report.errors:
        logger.error(
            "%d MDQ documents of snapshot %s failed their checks: %s",
            len(report.errors), snapshot.pk, "; ".join(report.errors[:5]),
        )  # fmt: skip
    return {"reused": report.reused, "signed": report.signed, "errors": report.errors[:20]}


@transaction.atomic
def proxy_token_create(*, name: str, environment: str, by: Any = None) -> tuple[ProxyToken, str]:
    """A new token; returns it with its key, which is shown once and never stored."""
    if environment not in dict(ProxyToken._meta.get_field("environment").choices):
        raise ValueError(f"environment: must be one of test, production (got {environment!r})")
    name = name.strip()
    if not name:
        raise ValueError("name: required")
    key = ProxyToken.new_key()
    token = ProxyToken.objects.create(
        name=name[:100],
        environment=environment,
        token_hash=token_hash(key),
        prefix=key[:8],
        created_at=timezone.now(),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    audit_record(
        actor=by, action="proxy.token_created", obj=token, after={"name": token.name, "environment": environment}
    )
    return token, key


@transaction.atomic
def proxy_token_revoke(*, token: ProxyToken, by: Any = None) -> ProxyToken:
    token = ProxyToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="proxy.token_revoked", obj=token, after={"revoked_at": token.revoked_at})
    return token


def proxy_token_authenticate(key: str) -> ProxyToken | None:
    """The active token with this key, its last use recorded (at most once a minute)."""
    token = ProxyToken.objects.filter(token_hash=token_hash(key), revoked_at__isnull=True).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ProxyToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
