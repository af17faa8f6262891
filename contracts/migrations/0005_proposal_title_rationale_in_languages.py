from django.db import migrations, models


class Migration(migrations.Migration):
    """A proposal's title and rationale in Finnish and Swedish (required) and English (optional).

    The single-language text was Finnish, so it becomes the Finnish text; existing proposals get an
    empty Swedish text, which readers see as the Finnish one until staff add it.
    """

    dependencies = [
        ("contracts", "0004_steering_proposals_votes_notices"),
    ]

    operations = [
        migrations.RenameField(model_name="proposal", old_name="title", new_name="title_fi"),
        migrations.RenameField(model_name="proposal", old_name="rationale", new_name="rationale_fi"),
        migrations.AlterField(
            model_name="proposal",
            name="title_fi",
            field=models.CharField(max_length=200, verbose_name="title in Finnish"),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="rationale_fi",
            field=models.TextField(verbose_name="rationale in Finnish"),
        ),
        migrations.AddField(
            model_name="proposal",
            name="title_sv",
            field=models.CharField(default="", max_length=200, verbose_name="title in Swedish"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposal",
            name="rationale_sv",
            field=models.TextField(default="", verbose_name="rationale in Swedish"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposal",
            name="title_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in English"),
        ),
        migrations.AddField(
            model_name="proposal",
            name="rationale_en",
            field=models.TextField(blank=True, verbose_name="rationale in English"),
        ),
    ]
