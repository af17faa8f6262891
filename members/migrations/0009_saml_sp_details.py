"""Several signing and encryption certificates per SAML SP version (a key rollover publishes both),
AuthnRequestsSigned / WantAssertionsSigned, the test-learner-number flag and the organisation's
website URL (issue 13, item 3 and item 5). Each version's single certificate becomes a one-item list."""

from django.db import migrations, models

import members.uris


def certificates_to_lists(apps, schema_editor):
    ServiceVersion = apps.get_model("members", "ServiceVersion")
    for version in ServiceVersion.objects.exclude(signing_certificate="", encryption_certificate="").iterator():
        version.signing_certificates = [version.signing_certificate] if version.signing_certificate else []
        version.encryption_certificates = [version.encryption_certificate] if version.encryption_certificate else []
        version.save(update_fields=["signing_certificates", "encryption_certificates"])


def lists_to_certificates(apps, schema_editor):
    ServiceVersion = apps.get_model("members", "ServiceVersion")
    for version in ServiceVersion.objects.iterator():
        # Only the first of each survives going back: the old schema holds one.
        version.signing_certificate = (version.signing_certificates or [""])[0]
        version.encryption_certificate = (version.encryption_certificates or [""])[0]
        version.save(update_fields=["signing_certificate", "encryption_certificate"])


class Migration(migrations.Migration):
    dependencies = [("members", "0008_service_description_length")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="website_url",
            field=models.URLField(
                blank=True,
                help_text="The organisation's own website (https), published in the SAML metadata of its services.",
                max_length=500,
                validators=[members.uris.validate_https_url],
                verbose_name="website URL",
            ),
        ),
        migrations.AddField(
            model_name="serviceversion",
            name="signing_certificates",
            field=models.JSONField(blank=True, default=list, verbose_name="signing certificates"),
        ),
        migrations.AddField(
            model_name="serviceversion",
            name="encryption_certificates",
            field=models.JSONField(blank=True, default=list, verbose_name="encryption certificates"),
        ),
        migrations.AddField(
            model_name="serviceversion",
            name="authn_requests_signed",
            field=models.BooleanField(default=False, verbose_name="authentication requests signed"),
        ),
        migrations.AddField(
            model_name="serviceversion",
            name="want_assertions_signed",
            field=models.BooleanField(default=False, verbose_name="wants assertions signed"),
        ),
        migrations.AddField(
            model_name="serviceversion",
            name="test_learner_numbers_allowed",
            field=models.BooleanField(default=False, verbose_name="test learner numbers allowed"),
        ),
        migrations.RunPython(certificates_to_lists, lists_to_certificates),
        migrations.RemoveField(model_name="serviceversion", name="signing_certificate"),
        migrations.RemoveField(model_name="serviceversion", name="encryption_certificate"),
    ]
