"""Writing to the log. Every domain service calls `audit_record` inside its transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from audit.keys import current_key, mac
from audit.models import ChainHead, Entry


def audit_state(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-ready picture of a model instance's concrete fields, for `before`/`after`."""
    wanted = set(fields) if fields is not None else None
    state: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name in {"password", "token_hash", "secret", "client_secret_encrypted"}:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.FileField):
            value = value.name if value else ""  # the stored file's name, not the file
        state[field.attname] = value
    return _json_ready(state)


def _json_ready(value: Any) -> Any:
    """Round-trip through JSON so what we hash is exactly what the database returns."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def entry_payload(
    *,
    prev_hash: str,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str,
    before: Any,
    after: Any,
) -> bytes:
    """The bytes an entry's hash or MAC covers: every field and the previous entry's hash."""
    return json.dumps(
        [prev_hash, created_at, actor_id, actor_label, action, object_type, object_id, object_label, before, after],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def payload_of_entry(entry: Entry) -> bytes:
    return entry_payload(
        prev_hash=entry.prev_hash,
        created_at=entry.created_at.isoformat(timespec="microseconds"),
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_label=entry.object_label,
        before=entry.before,
        after=entry.after,
    )


def unkeyed_hash_of_entry(entry: Entry) -> str:
    """How entries were chained before the chain was keyed; audit.verify accepts it only for them."""
    return hashlib.sha256(payload_of_entry(entry)).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    before: Any = None,
    after: Any = None,
) -> Entry:
    """Append one entry. `actor` is a user or None for the system (scheduled tasks).

    Writers serialise on the chain head row, so concurrent transactions cannot both
    extend the same tip and fork the chain.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)[:300]
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    actor_label = actor.email if actor_id else "system"
    with transaction.atomic():
        # get_or_create, not get: a flushed test database has no head row yet.
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        created_at = timezone.now()
        before, after = _json_ready(before), _json_ready(after)
        entry = Entry(
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_label=object_label,
            before=before,
            after=after,
            prev_hash=head.last_hash,
        )
        entry.key_id, key = current_key()
        entry.hash = mac(key, payload_of_entry(entry))
        entry.save()
        ChainHead.objects.filter(pk=1).update(
            last_entry_id=entry.pk, last_hash=entry.hash, length=models.F("length") + 1
        )
    return entry
