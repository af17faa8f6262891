"""The steering group's models now belong to the `steering` app (its 0001 took them over, tables and
rows unchanged); this app forgets them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0005_proposal_title_rationale_in_languages'),
        ('steering', '0001_initial'),
    ]

    operations = [
        # Only Django's picture of the models changes: the tables and rows stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='eligibleseat',
                    name='holder',
                ),
                migrations.RemoveField(
                    model_name='eligibleseat',
                    name='proposal',
                ),
                migrations.RemoveField(
                    model_name='eligibleseat',
                    name='seat',
                ),
                migrations.RemoveField(
                    model_name='proposal',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='proposal',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='proposal',
                    name='previous_version',
                ),
                migrations.RemoveField(
                    model_name='proposal',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='proposal',
                ),
                migrations.RemoveField(
                    model_name='seat',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='seat',
                    name='holder',
                ),
                migrations.RemoveField(
                    model_name='seat',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='seat',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='cast_by',
                ),
                migrations.DeleteModel(
                    name='ChangeNotice',
                ),
                migrations.DeleteModel(
                    name='EligibleSeat',
                ),
                migrations.DeleteModel(
                    name='Proposal',
                ),
                migrations.DeleteModel(
                    name='SteeringGroup',
                ),
                migrations.DeleteModel(
                    name='Seat',
                ),
                migrations.DeleteModel(
                    name='Vote',
                ),
            ],
            database_operations=[],
        ),
    ]
