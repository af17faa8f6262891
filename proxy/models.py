"""Snapshots of the proxy configuration, what is in service, caches and proxy tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Environment(models.TextChoices):
    TEST = "test", _("test")
    PRODUCTION = "production", _("production")


class Snapshot(models.Model):
    """One build's outputs. Immutable once the build finished: files are written once and their
    SHA-256 recorded here, so a file changed afterwards is refused when served or published."""

    class Status(models.TextChoices):
        BUILDING = "building", _("building")
        FAILED = "failed", _("failed")
        VALID = "valid", _("valid")
        # A build whose content equalled the snapshot in service: nothing was published, and
        # this row only records that the build ran, why and what stayed in service (no files).
        UNCHANGED = "unchanged", _("no change")

    environment = models.CharField(max_length=20, choices=Environment.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BUILDING)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=200)
    # Hash of the content (fragments and release rules), without signing time or validity.
    content_hash = models.CharField(max_length=64, blank=True)
    document_id = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    cert_fingerprint = models.CharField(max_length=64, blank=True)
    # {name: {"path": storage path, "sha256": hex, "size": bytes}}
    files = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # Counts and stage timings (seconds), shown in the staff UI.
    report = models.JSONField(default=dict, blank=True)
    service_count = models.PositiveIntegerField(default=0)
    entity_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["environment", "status", "-created_at"], name="proxy_snapshot_env_status")]

    def __str__(self) -> str:
        return f"{self.environment} #{self.pk} ({self.status})"

    @property
    def unchanged_in_service(self) -> int | None:
        """For a build that changed nothing: the snapshot that stayed in service."""
        return self.report.get("in_service") if self.status == self.Status.UNCHANGED else None

    @property
    def trigger_display(self) -> str:
        """Why the build ran, in words (the code stays in `trigger`)."""
        from proxy.build_reasons import trigger_phrase

        return trigger_phrase(self.trigger)

    @property
    def stage_timings(self) -> list[tuple[str, float]]:
        """The build's stages in words with their seconds, in the order they ran."""
        from proxy.build_reasons import stage_phrase

        return [(stage_phrase(stage), seconds) for stage, seconds in self.report.get("timings", {}).items()]


class Publication(models.Model):
    """The snapshot in service for an environment (one row per environment)."""

    environment = models.CharField(max_length=20, choices=Environment.choices, unique=True)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.environment}: #{self.snapshot_id}"


class Fragment(models.Model):
    """A rendered `md:EntityDescriptor`, keyed by the hash of its inputs; kept across builds."""

    key = models.CharField(max_length=64, primary_key=True)
    xml = models.BinaryField()
    # Schema errors of the fragment validated on its own when it was rendered ([] = valid).
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class EntityDocument(models.Model):
    """One entity's signed metadata for the MDQ endpoint. Immutable: a re-signed document is a
    new row, so a snapshot's index always points at exactly what was validated with it."""

    key = models.CharField(max_length=64, primary_key=True)
    # Hash of (fragment key, signing certificate): the row to reuse while it is valid long enough.
    source = models.CharField(max_length=64, db_index=True)
    # The fragment signed, so pruning can drop documents whose fragment is gone ("" on rows
    # signed before this was recorded: those go once expired).
    fragment_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    xml = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    valid_until = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ProxyToken(models.Model):
    """A read-only credential for one environment's token endpoints; only its hash is stored."""

    name = models.CharField(_("name"), max_length=100)
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["environment", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.environment})"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class ProxyKey(models.Model):
    """The public key of one environment's proxy, registered by staff (DESIGN section 5).

    Each OIDC client secret in `oidc-clients.json` is encrypted to it (JWE RSA-OAEP-256 +
    A256GCM), so only that proxy can read the secrets. The newest row of an environment is the
    key in use; older rows stay as the history of what was registered when.
    """

    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices)
    # SubjectPublicKeyInfo PEM, whatever form (PEM or JWK) staff pasted.
    public_key_pem = models.TextField(_("public key"))
    # RFC 7638 JWK thumbprint (SHA-256): also the `kid` of every JWE made with this key.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    key_size = models.PositiveIntegerField(_("key size"))
    created_at = models.DateTimeField(_("registered at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["environment", "-created_at", "-id"]
        verbose_name = _("proxy public key")

    def __str__(self) -> str:
        return f"{self.environment}: {self.fingerprint[:16]}"
