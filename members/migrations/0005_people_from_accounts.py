"""People's roles in organisations and invitations move here from `accounts` (issue 11): they name an
organisation, so they belong above `accounts`. Their tables keep their names (`db_table`), so no
row moves; `accounts` 0003 then forgets them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


OLD_LABEL, NEW_LABEL = "accounts", "members"
MOVED = ["organisationrole", "invitation"]


def content_types_follow(apps, schema_editor, *, old: str, new: str) -> None:
    """Move the models' content types (and so their permissions) to the new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        ContentType.objects.filter(app_label=new, model=model).delete()
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    content_types_follow(apps, schema_editor, old=OLD_LABEL, new=NEW_LABEL)


def backwards(apps, schema_editor) -> None:
    content_types_follow(apps, schema_editor, old=NEW_LABEL, new=OLD_LABEL)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_service_logo_size_and_expiry_warning'),
        ('accounts', '0002_personal_api_tokens'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only Django's picture of the models changes: the tables and rows stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='email address')),
                        ('roles', models.JSONField(blank=True, default=list, verbose_name='roles')),
                        ('grants_staff', models.BooleanField(default=False, verbose_name='operator staff')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('language', models.CharField(choices=[('fi', 'Finnish'), ('sv', 'Swedish'), ('en', 'English')], default='fi', max_length=5)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invited_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, help_text="Empty for an invitation to the operator's staff.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='members.organisation')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'accounts_invitation',
                        'ordering': ['-created_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('organisation__isnull', False), ('grants_staff', True), _connector='OR'), name='accounts_invitation_has_target')],
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationRole',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('admin', 'administrator'), ('signatory', 'signatory'), ('technical', 'technical contact')], max_length=20, verbose_name='role')),
                        ('granted_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('granted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='people_roles', to='members.organisation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='organisation_roles', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'organisation role',
                        'verbose_name_plural': 'organisation roles',
                        'db_table': 'accounts_organisationrole',
                        'constraints': [models.UniqueConstraint(fields=('user', 'organisation', 'role'), name='accounts_one_role_per_user_org')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
