"""Roles and invitations now belong to the `members` app (its 0005 took them over, tables and rows
unchanged); this app forgets them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_personal_api_tokens'),
        ('members', '0005_people_from_accounts'),
    ]

    operations = [
        # Only Django's picture of the models changes: the tables and rows stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='organisationrole',
                    name='granted_by',
                ),
                migrations.RemoveField(
                    model_name='organisationrole',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='organisationrole',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='OrganisationRole',
                ),
            ],
            database_operations=[],
        ),
    ]
