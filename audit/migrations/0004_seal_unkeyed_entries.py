"""Seal the entries written before the chain was keyed (issue 15, item 6).

The old entries stay as they were written (plain SHA-256, empty key_id): re-chaining them under the
key would rewrite the evidence. Instead one keyed entry, `audit.chain_keyed`, is appended after
them; its MAC covers the last old entry's hash, so a later change to any old entry breaks the link,
and nobody without the key can forge a new seal. audit.verify refuses a log of unkeyed entries only.
"""

from django.db import migrations, models
from django.utils import timezone

from audit.keys import current_key, mac
from audit.services import payload_of_entry


def seal(apps, schema_editor):
    Entry = apps.get_model("audit", "Entry")
    ChainHead = apps.get_model("audit", "ChainHead")
    if not Entry.objects.exists() or Entry.objects.exclude(key_id="").exists():
        return  # a new site, or sealed already
    ChainHead.objects.select_for_update().get_or_create(pk=1)  # writers serialise on this row
    last = Entry.objects.order_by("-id").first()
    count = Entry.objects.count()
    key_id, key = current_key()
    entry = Entry(
        created_at=timezone.now(),
        actor_id=None,
        actor_label="system",
        action="audit.chain_keyed",
        object_type="audit.entry",
        object_id=str(last.pk),
        object_label=f"{count} entries written before the chain was keyed",
        before={"last_entry_id": last.pk, "last_hash": last.hash, "count": count},
        after={"key_id": key_id},
        prev_hash=last.hash,
        key_id=key_id,
    )
    entry.hash = mac(key, payload_of_entry(entry))
    entry.save()
    ChainHead.objects.filter(pk=1).update(last_entry_id=entry.pk, last_hash=entry.hash, length=models.F("length") + 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain")]

    # Going back leaves the seal in place: the log is append-only.
    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
