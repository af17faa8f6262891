"""Background work of the register: checking login sources' metadata (network, so never in a
request) and warning providers of expiring certificates."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Q

from accounts.models import User
from members.models import SAML_METADATA_KINDS, LoginSource, LoginSourceKind


@shared_task
def login_source_metadata_check(login_source_id: int, by_id: int | None = None) -> bool | None:
    """Check one login source's metadata and record the result; None if there is nothing to check."""
    from members.services import login_source_metadata_check as check

    source = LoginSource.objects.filter(pk=login_source_id).first()
    if source is None or not source.is_checked_remotely or not (source.metadata_url or source.issuer):
        return None
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return check(login_source=source, by=by).metadata_ok


@shared_task
def login_sources_metadata_check_all() -> int:
    """Daily: re-check every login source's metadata, so certificate expiry and a provider's
    changes show up without anyone pressing the button. One task per source."""
    ids = list(
        LoginSource.objects.filter(
            Q(kind__in=SAML_METADATA_KINDS) & ~Q(metadata_url="") | Q(kind=LoginSourceKind.OIDC) & ~Q(issuer="")
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        login_source_metadata_check.delay(pk)
    return len(ids)


@shared_task
def certificate_expiry_warn() -> int:
    """Daily: warn providers whose live certificates expire soon (idempotent)."""
    from members.services import certificate_expiry_warn as warn

    return warn()


@shared_task
def organisation_register_check_all() -> dict:
    """Daily: compare every linked home organisation with the national organisation register and
    tell staff and the organisation's admins what changed upstream (nothing is applied)."""
    from members.organisation_sync import sync_check_all

    report = sync_check_all()
    return {"checked": report.checked, "changed": report.changed, "errors": report.errors}


@shared_task
def previous_client_secrets_prune() -> int:
    """Hourly: drop rotated-out OIDC client secrets whose overlap has ended (the register then
    rebuilds, so oidc-clients.json stops carrying them within the hour)."""
    from members.services import previous_secrets_prune

    return previous_secrets_prune()
