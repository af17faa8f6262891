"""Staff UI: snapshots, their validation reports, diffs, publish/rollback, tokens."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import operator_required
from proxy import build, file_view
from proxy.diff import snapshot_diff as compute_diff
from proxy.forms import ProxyKeyForm, SnapshotDiffForm
from proxy.models import Environment, ProxyKey, ProxyToken, Publication, Snapshot
from proxy.services import PublishRefused, proxy_key_register, proxy_token_revoke, snapshot_build, snapshot_publish
from proxy.signing import SigningKeyMissing
from widgets.breadcrumbs import breadcrumb_trail
from widgets.list_sorting import list_sorting

WITHHELD_MESSAGE = gettext_lazy(
    "The OIDC client register (oidc-clients.json) was withheld: no proxy public key is registered for this "
    "environment. The other files were published."
)

# The snapshot list's sortable columns (widgets/list_sorting.py); newest first unless chosen otherwise.
SNAPSHOT_SORTS = {
    "number": "pk",
    "environment": ("environment", "created_at"),
    "status": ("status", "created_at"),
    "built": "created_at",
    "services": "service_count",
}


@operator_required
def snapshot_list(request: HttpRequest) -> HttpResponse:
    environment = request.GET.get("environment")
    sorting = list_sorting(request, SNAPSHOT_SORTS, "-built")
    snapshots = Snapshot.objects.select_related("created_by").defer("files", "report").order_by(*sorting.order_by)
    if environment in Environment.values:
        snapshots = snapshots.filter(environment=environment)
    page = Paginator(snapshots, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    publications = {p.environment: p for p in Publication.objects.select_related("snapshot", "published_by")}
    in_service = {p.snapshot_id for p in publications.values()}
    return render(
        request,
        "proxy/snapshot_list.html",
        {
            "page": page,
            "rows": [(value, label, publications.get(value)) for value, label in Environment.choices],
            "environments": Environment.choices,
            "environment": environment,
            "sorting": sorting,
            "query": query.urlencode(),
            "in_service": in_service,
            "retention_days": settings.PROXY_SNAPSHOT_RETENTION_DAYS,
            "withheld": [label for label, key in _proxy_key_rows() if key is None],
        },
    )


@operator_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(Snapshot.objects.select_related("created_by"), pk=pk)
    publication = Publication.objects.filter(environment=snapshot.environment).first()
    # The snapshot before with content to compare (a build that changed nothing has no files).
    earlier = (
        Snapshot.objects.filter(environment=snapshot.environment, created_at__lt=snapshot.created_at)
        .exclude(status=Snapshot.Status.UNCHANGED)
        .only("pk")
        .first()
    )
    return render(
        request,
        "proxy/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "in_service": publication is not None and publication.snapshot_id == snapshot.pk,
            "earlier": earlier,
            "breadcrumbs": breadcrumb_trail(
                request,
                (_("Proxy configuration"), reverse("proxy:snapshot-list")),
                (
                    _("Snapshot %(id)s (%(env)s)") % {"id": snapshot.pk, "env": snapshot.get_environment_display()},
                    request.path,
                ),
            ),
        },
    )


def _read_json(snapshot: Snapshot, name: str) -> dict:
    try:
        return json.loads(build.read_file(snapshot, name))
    except (FileNotFoundError, build.TamperedSnapshot):
        return {}


def _with_content(snapshot: Snapshot) -> Snapshot:
    """A build that changed nothing has no files: compare the snapshot it kept in service."""
    kept = snapshot.unchanged_in_service
    return Snapshot.objects.filter(pk=kept).first() or snapshot if kept else snapshot


@operator_required
def snapshot_diff(request: HttpRequest) -> HttpResponse:
    form = SnapshotDiffForm(request.GET)
    if not form.is_valid():
        # A hand-edited address: say which number is wrong rather than fail (issue 15 item 4).
        return render(request, "proxy/snapshot_diff.html", {"form": form}, status=400)
    before = _with_content(get_object_or_404(Snapshot, pk=form.cleaned_data["a"]))
    after = _with_content(get_object_or_404(Snapshot, pk=form.cleaned_data["b"]))
    diff = compute_diff(
        _read_json(before, "index.json"),
        _read_json(after, "index.json"),
        before_config=_read_json(before, "config.json"),
        after_config=_read_json(after, "config.json"),
    )
    sections = [
        (_("Services"), diff.services),
        (_("Home organisations"), diff.home_organisations),
        (_("Login sources"), diff.login_sources),
    ]
    return render(
        request, "proxy/snapshot_diff.html", {"before": before, "after": after, "diff": diff, "sections": sections}
    )


def _snapshot_file(pk: int, name: str) -> tuple[Snapshot, bytes | None]:
    """A snapshot and one of its stored files (None: changed since the build); 404 if it has none."""
    snapshot = get_object_or_404(Snapshot, pk=pk)
    if name not in snapshot.files:
        raise Http404
    try:
        return snapshot, build.read_file(snapshot, name)
    except build.TamperedSnapshot:
        return snapshot, None


@operator_required
def snapshot_file_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One stored file of a snapshot, indented for reading (the template escapes it)."""
    snapshot, data = _snapshot_file(pk, name)
    text, truncated = file_view.pretty_text(name, data) if data is not None else ("", False)
    return render(
        request,
        "proxy/snapshot_file.html",
        {"snapshot": snapshot, "name": name, "text": text, "truncated": truncated, "tampered": data is None},
        status=200 if data is not None else 409,
    )


@operator_required
def snapshot_file_download(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The stored bytes of one file, as an attachment named after the snapshot."""
    snapshot, data = _snapshot_file(pk, name)
    if data is None:
        return HttpResponse(
            _("This file no longer matches the hash recorded when it was built."), status=409, content_type="text/plain"
        )
    response = HttpResponse(data, content_type=file_view.download_type(name))
    response["Content-Disposition"] = f'attachment; filename="snapshot-{snapshot.pk}-{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@operator_required
@require_POST
def snapshot_build_view(request: HttpRequest) -> HttpResponse:
    environment = request.POST.get("environment", "")
    if environment not in Environment.values:
        messages.error(request, _("Choose an environment."))
        return redirect("proxy:snapshot-list")
    try:
        # Not forced: with nothing changed nothing new is published (the proxy keeps its ETag),
        # unless the metadata is past half its validity and must be signed again (DESIGN section 5).
        snapshot = snapshot_build(
            environment=environment, trigger="manual rebuild", by=request.user, record_unchanged=True
        )
    except SigningKeyMissing as error:
        messages.error(request, _("The build could not start: %(error)s") % {"error": error})
        return redirect("proxy:snapshot-list")
    if snapshot.report.get("oidc_clients_withheld"):
        messages.warning(request, WITHHELD_MESSAGE)
    if snapshot.status == Snapshot.Status.UNCHANGED:
        messages.info(
            request,
            _("No change; snapshot %(id)s stays in service.") % {"id": snapshot.unchanged_in_service},
        )
    elif snapshot.status == Snapshot.Status.VALID:
        messages.success(request, _("Snapshot %(id)s was built and published.") % {"id": snapshot.pk})
    else:
        messages.error(
            request,
            _("Snapshot %(id)s failed its checks; the earlier snapshot stays in service.") % {"id": snapshot.pk},
        )
    return redirect("proxy:snapshot-detail", pk=snapshot.pk)


@operator_required
@require_POST
def snapshot_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a valid snapshot; publishing an earlier one is a rollback."""
    snapshot = get_object_or_404(Snapshot, pk=pk)
    try:
        snapshot_publish(snapshot=snapshot, by=request.user)
    except PublishRefused as error:
        messages.error(request, _("Not published: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Snapshot %(id)s is now in service.") % {"id": snapshot.pk})
    return redirect("proxy:snapshot-detail", pk=snapshot.pk)


@operator_required
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ProxyToken.objects.select_related("created_by")
    return render(request, "proxy/token_list.html", {"tokens": tokens})


@operator_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ProxyToken, pk=pk)
    proxy_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token %(name)s was revoked.") % {"name": token.name})
    return redirect("proxy:token-list")


@operator_required
def proxy_key_list(request: HttpRequest) -> HttpResponse:
    """The proxy public keys per environment, and the form to register a new one."""
    form = ProxyKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = proxy_key_register(
                environment=form.cleaned_data["environment"],
                public_key=form.cleaned_data["public_key"],
                by=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request,
                _("The proxy key of %(environment)s was registered. The next build encrypts the client secrets to it.")
                % {"environment": key.get_environment_display()},
            )
            return redirect("proxy:key-list")
    keys = ProxyKey.objects.select_related("created_by")
    return render(
        request,
        "proxy/key_list.html",
        {"form": form, "keys": keys, "rows": _proxy_key_rows()},
        status=400 if form.errors else 200,
    )


def _proxy_key_rows() -> list[tuple[str, Any]]:
    """Each environment with the key in use (None: its OIDC client register is withheld)."""
    # One query for both environments (PostgreSQL DISTINCT ON): the newest key of each.
    current = {
        key.environment: key
        for key in ProxyKey.objects.order_by("environment", "-created_at", "-id").distinct("environment")
    }
    return [(label, current.get(value)) for value, label in Environment.choices]
