"""Key the chain (entries name the key their MAC was made with) and refuse TRUNCATE (issue 15, item 6).

Existing entries keep their plain SHA-256 and an empty key_id: rewriting them would need the UPDATE
the append-only trigger refuses, and an auditor would rightly distrust a migration that rewrites
the log. audit.verify accepts an unkeyed entry only ahead of the first keyed one, whose MAC covers
the last unkeyed hash, so the old part is anchored by the key too.
"""

from django.db import migrations, models

POSTGRES_UP = """
CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();
CREATE TRIGGER audit_chainhead_no_truncate
    BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry;
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(protect, unprotect),
    ]
