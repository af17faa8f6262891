"""Signatures never change and published agreement versions never change: held by the database."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION contracts_signature_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'signatures are immutable (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER contracts_signature_immutable
    BEFORE UPDATE OR DELETE ON contracts_signature
    FOR EACH ROW EXECUTE FUNCTION contracts_signature_refuse_change();

CREATE OR REPLACE FUNCTION contracts_version_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'published' THEN
        RAISE EXCEPTION 'published agreement versions are immutable (% refused)', TG_OP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER contracts_version_immutable
    BEFORE UPDATE OR DELETE ON contracts_agreementversion
    FOR EACH ROW EXECUTE FUNCTION contracts_version_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS contracts_signature_immutable ON contracts_signature;
DROP FUNCTION IF EXISTS contracts_signature_refuse_change();
DROP TRIGGER IF EXISTS contracts_version_immutable ON contracts_agreementversion;
DROP FUNCTION IF EXISTS contracts_version_refuse_change();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_agreement_versions_memberships_signatures")]

    operations = [migrations.RunPython(protect, unprotect)]
