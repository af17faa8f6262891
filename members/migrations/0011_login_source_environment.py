"""Login sources get an environment (issue 14, item 1). Sources that exist were published to both
environments; they are put in production, where their users log in today. New ones start in test."""

from django.db import migrations, models

FIELD = {
    "choices": [("test", "test"), ("production", "production")],
    "db_index": True,
    "max_length": 20,
    "verbose_name": "environment",
}


class Migration(migrations.Migration):
    dependencies = [("members", "0010_school_oids_and_offices")]

    operations = [
        migrations.AddField(
            model_name="loginsource", name="environment", field=models.CharField(default="production", **FIELD)
        ),
        migrations.AlterField(
            model_name="loginsource", name="environment", field=models.CharField(default="test", **FIELD)
        ),
    ]
