"""Writes of the proxy app: building and publishing snapshots, proxy tokens."""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from proxy import build, signing
from proxy.inputs import ProxyInputs
from proxy.models import (
    EntityDocument,
    Environment,
    Fragment,
    ProxyKey,
    ProxyToken,
    Publication,
    Snapshot,
    token_hash,
)
from proxy.oidc_clients import client_register, clients_without_secret, jwe_encrypter
from proxy.proxy_keys import proxy_key_current, proxy_key_parse

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
    record_unchanged: bool = False,
) -> Snapshot:
    """Build, check and (if every gate passes) publish a snapshot of one environment.

    Idempotent: when the content equals the snapshot in service, which still has more than half
    its validity, that snapshot is returned and nothing is written (unless `force`). A failing
    build is stored as `failed` for inspection, staff are alerted, and the snapshot in service
    stays in service.

    `record_unchanged`: a build that finds nothing changed writes a `unchanged` row saying which
    snapshot stays in service (and returns it), so a rebuild staff asked for says so instead of
    publishing an identical snapshot; automatic builds leave no such row.
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
            proxy_key = proxy_key_current(environment)
            rendered = build.render(inputs, proxy_key_fingerprint=proxy_key.fingerprint if proxy_key else "")
            timings["render"] = time.perf_counter() - started
        except Exception as error:
            # Bad inputs still leave a failed snapshot for staff to read; nothing is published.
            logger.exception("proxy inputs of %s could not be rendered", environment)
            broken = error.services if isinstance(error, build.UnrenderableServices) else []
            if broken:
                errors = [f"inputs could not be rendered: {problem}" for problem in error.problems]
            else:
                errors = [f"inputs could not be rendered: {type(error).__name__}: {error}"]
            snapshot = Snapshot.objects.create(
                environment=environment,
                created_at=now,
                created_by=by if by is not None and by.is_authenticated else None,
                trigger=trigger[:200],
                status=Snapshot.Status.FAILED,
                errors=errors,
            )
            audit_record(
                actor=by, action="proxy.snapshot_failed", obj=snapshot,
                after={"errors": snapshot.errors[:20], "services": [service.key for service in broken][:20]},
            )  # fmt: skip
            _alert_staff(snapshot, broken=broken)
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
            # DESIGN section 5: same content, same certificate and more than half the validity
            # left, so the proxy keeps the same bytes and ETag; only a record of this build.
            if not record_unchanged:
                return current
            return Snapshot.objects.create(
                environment=environment,
                created_at=now,
                created_by=by if by is not None and by.is_authenticated else None,
                trigger=trigger[:200],
                status=Snapshot.Status.UNCHANGED,
                content_hash=rendered.content_hash,
                service_count=len(inputs.services),
                entity_count=len(rendered.saml_services),
                report={
                    "in_service": current.pk,
                    "timings": {k: round(v, 4) for k, v in timings.items()},
                    # What staff are told about the snapshot that stays (a withheld client register).
                    **{key: current.report[key] for key in _CARRIED_REPORT if key in current.report},
                },
            )

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
            "discovery.json": rendered.discovery,
        }
        report: dict[str, Any] = {}
        try:
            report = _oidc_clients_output(inputs, proxy_key, outputs)
        except Exception as error:
            logger.exception("the OIDC client register of %s could not be encrypted", environment)
            errors.append(f"oidc-clients.json: the client secrets could not be encrypted: {type(error).__name__}")
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
            **report,
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


# Report entries of the snapshot in service that a build changing nothing repeats on its record.
_CARRIED_REPORT = ("oidc_clients_withheld", "oidc_clients_key", "oidc_clients_without_secret")


def _oidc_clients_output(inputs: ProxyInputs, proxy_key: ProxyKey | None, outputs: dict[str, bytes]) -> dict:
    """Add oidc-clients.json to `outputs` when the environment has a proxy key; what staff are
    told about it (withheld, clients left out for want of a secret) for the snapshot's report."""
    report: dict[str, Any] = {
        "oidc_clients_without_secret": [build.describe_service(s) for s in clients_without_secret(inputs)][:50],
    }
    if proxy_key is None:
        # Never the secrets unencrypted: without a key the client register is not published at all.
        report["oidc_clients_withheld"] = True
        return report
    outputs["oidc-clients.json"] = client_register(
        inputs,
        encrypt=jwe_encrypter(public_key_pem=proxy_key.public_key_pem, kid=proxy_key.fingerprint),
        key_fingerprint=proxy_key.fingerprint,
    )
    report["oidc_clients_key"] = proxy_key.fingerprint
    return report


def _service_page(service: Any) -> str:
    """The register page of a service the build failed on (where staff can withdraw it), or ""."""
    from proxy.register import SERVICE_KEY_PREFIX

    if not service.key.startswith(SERVICE_KEY_PREFIX) or not service.key[len(SERVICE_KEY_PREFIX) :].isdigit():
        return ""
    return reverse("members:service-detail", args=[int(service.key[len(SERVICE_KEY_PREFIX) :])])


def _alert_staff(snapshot: Snapshot, *, broken: list | tuple = ()) -> None:
    """Email staff that a build failed; `broken`: the services it failed on, each named with a link."""
    from accounts.models import User
    from emails.sending import email_queue_to_users

    staff = User.objects.filter(is_staff=True, is_active=True)
    email_queue_to_users(
        users=staff,
        template="proxy_build_failed",
        context={
            "environment": snapshot.environment,
            "snapshot_id": snapshot.pk,
            "errors": snapshot.errors[:10],
            "path": f"/proxy/staff/snapshots/{snapshot.pk}/",
            "services": [
                {"description": build.describe_service(service), "path": _service_page(service)}
                for service in broken[:10]
            ],
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
    from proxy.tasks import proxy_entity_documents

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


@dataclass(frozen=True)
class PruneResult:
    """What one prune run deleted (and kept, for the audit entry and the task's result)."""

    snapshots: int = 0
    files: int = 0
    fragments: int = 0
    entity_documents: int = 0
    kept_snapshots: tuple[int, ...] = ()
    # Why fragments were left alone this run ("" when they were pruned).
    fragments_skipped: str = ""


# Rows deleted per statement when deleting by primary key (keeps statements under parameter limits).
PRUNE_BATCH = 2000


def _kept_snapshot_ids() -> set[int]:
    """Never pruned: what is in service, the previous valid snapshot per environment (the
    rollback target); younger snapshots are kept by the caller's cutoff. One query per
    environment."""
    publications = {p.environment: p.snapshot for p in Publication.objects.select_related("snapshot")}
    kept = {snapshot.pk for snapshot in publications.values()}
    for environment in Environment.values:
        valid = Snapshot.objects.filter(environment=environment, status=Snapshot.Status.VALID)
        current = publications.get(environment)
        if current is not None:
            valid = valid.exclude(pk=current.pk).filter(
                Q(created_at__lt=current.created_at) | Q(created_at=current.created_at, pk__lt=current.pk)
            )
        previous = valid.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
        if previous is not None:
            kept.add(previous)
    return kept


def _fragments_in_use(snapshots: list[Snapshot]) -> set[str]:
    """Fragment keys the kept valid snapshots' index.json files point at (what MDQ and a rollback
    serve). Snapshots with equal content hashes share their fragments, so each content is read once."""
    keys: set[str] = set()
    seen: set[str] = set()
    for snapshot in snapshots:
        if snapshot.content_hash in seen:
            continue
        seen.add(snapshot.content_hash)
        entities = json.loads(build.read_file(snapshot, "index.json"))["entities"]
        keys.update(entry["fragment"] for entry in entities.values())
    return keys


def _delete_stored_files(files: list[dict]) -> int:
    deleted = 0
    folders = set()
    for meta in files:
        path = meta.get("path")
        if not path:
            continue
        if default_storage.exists(path):
            default_storage.delete(path)
            deleted += 1
        folders.add(os.path.dirname(path))
    # FileSystemStorage leaves each snapshot's (now empty) folder behind; other storages have none.
    for folder in folders:
        with contextlib.suppress(NotImplementedError, OSError):
            os.rmdir(default_storage.path(folder))
    return deleted


def snapshot_prune(*, now: datetime.datetime | None = None) -> PruneResult:
    """Delete proxy build artefacts nobody can be served or roll back to any more.

    Keeps the snapshots in service, the previous valid snapshot of each environment and every
    snapshot younger than `PROXY_SNAPSHOT_RETENTION_DAYS`; deletes older snapshots (failed ones
    too) with their stored files, fragments no kept valid snapshot uses and entity documents
    that have expired or whose fragment is gone. Runs under the builder lock so it never races
    a build; idempotent (a second run finds nothing to delete). The number of queries does not
    grow with the number of rows (deletes go by condition or in batches).
    """
    with transaction.atomic():
        _builder_lock()
        now = now or timezone.now()
        cutoff = now - datetime.timedelta(days=settings.PROXY_SNAPSHOT_RETENTION_DAYS)
        kept_ids = _kept_snapshot_ids()

        # Locked, skipping a snapshot a rollback is publishing right now (it is left for tomorrow).
        doomed = list(
            Snapshot.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=cutoff)
            .exclude(pk__in=kept_ids)
            .exclude(Exists(Publication.objects.filter(snapshot=OuterRef("pk"))))
            .values_list("pk", "files")
        )
        doomed_ids = [pk for pk, _ in doomed]
        for start in range(0, len(doomed_ids), PRUNE_BATCH):
            Snapshot.objects.filter(pk__in=doomed_ids[start : start + PRUNE_BATCH]).delete()

        fragments_deleted = documents_deleted = 0
        skipped = ""
        survivors = list(
            Snapshot.objects.filter(status=Snapshot.Status.VALID).only("pk", "content_hash", "files").order_by("pk")
        )
        try:
            in_use = _fragments_in_use(survivors)
        except (OSError, ValueError, KeyError, build.TamperedSnapshot) as error:
            # Without every kept index the fragments in use are unknown: delete none of them.
            logger.warning("proxy prune left fragments alone: %s", error)
            skipped = f"{type(error).__name__}: {error}"
        else:
            unused = [key for key in Fragment.objects.values_list("key", flat=True) if key not in in_use]
            for start in range(0, len(unused), PRUNE_BATCH):
                fragments_deleted += Fragment.objects.filter(key__in=unused[start : start + PRUNE_BATCH]).delete()[0]
        documents_deleted = EntityDocument.objects.filter(
            Q(valid_until__lte=now)
            | (~Q(fragment_key="") & ~Exists(Fragment.objects.filter(key=OuterRef("fragment_key"))))
        ).delete()[0]
        # Storage last: a failure above rolls everything back with the files still there; a
        # failure here leaves only files of snapshots that are going anyway (the next run retries).
        files_deleted = _delete_stored_files([meta for _, files in doomed for meta in files.values()])
        result = PruneResult(
            snapshots=len(doomed_ids),
            files=files_deleted,
            fragments=fragments_deleted,
            entity_documents=documents_deleted,
            kept_snapshots=tuple(sorted(kept_ids)),
            fragments_skipped=skipped,
        )
        if fragments_deleted:
            generation = now.isoformat()
            transaction.on_commit(lambda: cache.set(build.PRUNE_GENERATION_KEY, generation, timeout=None))
            build.forget_fragments()
        audit_record(
            actor=None,
            action="proxy.snapshots_pruned",
            object_type="proxy.snapshot",
            object_label=f"older than {settings.PROXY_SNAPSHOT_RETENTION_DAYS} days",
            after={
                "retention_days": settings.PROXY_SNAPSHOT_RETENTION_DAYS,
                "cutoff": cutoff,
                "snapshots": result.snapshots,
                "snapshot_ids": doomed_ids[:200],
                "files": result.files,
                "fragments": result.fragments,
                "entity_documents": result.entity_documents,
                "kept_snapshots": list(result.kept_snapshots),
                "fragments_skipped": skipped,
            },
        )
        return result


@transaction.atomic
def proxy_key_register(*, environment: str, public_key: str, by: Any = None) -> ProxyKey:
    """Register the public key of an environment's proxy (the newest one is in use).

    A malformed, weak, non-RSA or private key is refused with a ValidationError naming the
    field, and nothing is stored. The next build encrypts the client secrets to the new key.
    """
    from django.core.exceptions import ValidationError

    if environment not in Environment.values:
        raise ValidationError({"environment": _("Choose an environment.")})
    parsed = proxy_key_parse(public_key)
    key = ProxyKey.objects.create(
        environment=environment,
        public_key_pem=parsed.pem,
        fingerprint=parsed.fingerprint,
        key_size=parsed.key_size,
        created_at=timezone.now(),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    audit_record(
        actor=by,
        action="proxy.key_registered",
        obj=key,
        after={"environment": environment, "fingerprint": parsed.fingerprint, "key_size": parsed.key_size},
    )
    # The client register is published (or re-encrypted) to the new key by the next build.
    from proxy.tasks import proxy_build_schedule

    proxy_build_schedule(environment=environment, trigger="proxy key registered")
    return key
