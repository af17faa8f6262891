"""The steering group's models move here from `contracts` (issue 11). Their tables keep their names
(`db_table`), so no row moves; `contracts` 0006 then forgets them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


OLD_LABEL, NEW_LABEL = "contracts", "steering"
MOVED = ["steeringgroup", "seat", "proposal", "eligibleseat", "vote", "changenotice"]


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

    initial = True

    dependencies = [
        ('contracts', '0005_proposal_title_rationale_in_languages'),
        ('members', '0004_service_logo_size_and_expiry_warning'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only Django's picture of the models changes: the tables and rows stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SteeringGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('quorum_numerator', models.PositiveSmallIntegerField(default=1)),
                        ('quorum_denominator', models.PositiveSmallIntegerField(default=2)),
                        ('majority_numerator', models.PositiveSmallIntegerField(default=2)),
                        ('majority_denominator', models.PositiveSmallIntegerField(default=3)),
                        ('tally_secret_until_close', models.BooleanField(default=True, verbose_name='keep the count secret until closing')),
                    ],
                    options={
                        'verbose_name': 'steering group',
                        'verbose_name_plural': 'steering groups',
                        'db_table': 'contracts_steeringgroup',
                        'constraints': [models.CheckConstraint(condition=models.Q(('quorum_denominator__gt', 0), ('majority_denominator__gt', 0)), name='contracts_rule_denominators_positive'), models.CheckConstraint(condition=models.Q(('quorum_numerator__lte', models.F('quorum_denominator')), ('majority_numerator__lte', models.F('majority_denominator'))), name='contracts_rule_fractions_at_most_one')],
                    },
                ),
                migrations.CreateModel(
                    name='Seat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('term_start', models.DateField(verbose_name='term starts')),
                        ('term_end', models.DateField(blank=True, null=True, verbose_name='term ends')),
                        ('holder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='seats', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steering_seats', to='members.organisation')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='seats', to='steering.steeringgroup')),
                    ],
                    options={
                        'verbose_name': 'seat',
                        'verbose_name_plural': 'seats',
                        'db_table': 'contracts_seat',
                        'ordering': ['group', 'organisation__name_fi'],
                    },
                ),
                migrations.CreateModel(
                    name='Proposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title_fi', models.CharField(max_length=200, verbose_name='title in Finnish')),
                        ('title_sv', models.CharField(max_length=200, verbose_name='title in Swedish')),
                        ('title_en', models.CharField(blank=True, max_length=200, verbose_name='title in English')),
                        ('rationale_fi', models.TextField(verbose_name='rationale in Finnish')),
                        ('rationale_sv', models.TextField(verbose_name='rationale in Swedish')),
                        ('rationale_en', models.TextField(blank=True, verbose_name='rationale in English')),
                        ('effective_date', models.DateField(verbose_name='proposed effective date')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('open', 'Open for voting'), ('closed', 'Closed')], default='draft', max_length=10)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('opened_at', models.DateTimeField(blank=True, null=True)),
                        ('text_sha256', models.CharField(blank=True, max_length=64)),
                        ('deadline', models.DateTimeField(blank=True, null=True, verbose_name='voting deadline')),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('seat_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('yes_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('no_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('abstain_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('quorum', models.CharField(blank=True, max_length=20)),
                        ('majority', models.CharField(blank=True, max_length=20)),
                        ('passed', models.BooleanField(blank=True, null=True)),
                        ('minutes_pdf', models.BinaryField(blank=True, null=True)),
                        ('notified_at', models.DateTimeField(blank=True, null=True)),
                        ('applied_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('previous_version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contracts.agreementversion', verbose_name='current version')),
                        ('version', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='proposal', to='contracts.agreementversion', verbose_name='new version')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='steering.steeringgroup')),
                    ],
                    options={
                        'verbose_name': 'proposal',
                        'verbose_name_plural': 'proposals',
                        'db_table': 'contracts_proposal',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Vote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('choice', models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('abstain', 'Abstain')], max_length=10, verbose_name='vote')),
                        ('cast_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('cast_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to='steering.proposal')),
                        ('seat', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to='steering.seat')),
                    ],
                    options={
                        'verbose_name': 'vote',
                        'verbose_name_plural': 'votes',
                        'db_table': 'contracts_vote',
                    },
                ),
                migrations.CreateModel(
                    name='ChangeNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('notified_at', models.DateTimeField()),
                        ('reaction', models.CharField(choices=[('pending', 'Has not reacted'), ('accepted', 'Accepted'), ('terminated', 'Terminated because of the change')], default='pending', max_length=12)),
                        ('reacted_at', models.DateTimeField(blank=True, null=True)),
                        ('moved_at', models.DateTimeField(blank=True, null=True)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='change_notices', to='members.organisation')),
                        ('reacted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notices', to='steering.proposal')),
                    ],
                    options={
                        'verbose_name': 'change notice',
                        'verbose_name_plural': 'change notices',
                        'db_table': 'contracts_changenotice',
                        'ordering': ['organisation__name_fi', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('proposal', 'organisation'), name='contracts_change_notice_once')],
                    },
                ),
                migrations.CreateModel(
                    name='EligibleSeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('holder_name', models.CharField(max_length=200)),
                        ('organisation_name', models.CharField(max_length=300)),
                        ('holder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='eligible_seats', to='steering.proposal')),
                        ('seat', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='steering.seat')),
                    ],
                    options={
                        'db_table': 'contracts_eligibleseat',
                        'ordering': ['organisation_name', 'holder_name', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('proposal', 'seat'), name='contracts_eligible_seat_once')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='seat',
                    constraint=models.CheckConstraint(condition=models.Q(('term_end__isnull', True), ('term_end__gte', models.F('term_start')), _connector='OR'), name='contracts_seat_term_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='proposal',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'open'), _negated=True), models.Q(('deadline__isnull', False), ('opened_at__isnull', False)), _connector='OR'), name='contracts_proposal_open_has_deadline'),
                ),
                migrations.AddConstraint(
                    model_name='proposal',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), models.Q(('closed_at__isnull', False), ('passed__isnull', False)), _connector='OR'), name='contracts_proposal_closed_has_result'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.UniqueConstraint(fields=('proposal', 'seat'), name='contracts_one_vote_per_seat'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.CheckConstraint(condition=models.Q(('choice__in', ['yes', 'no', 'abstain'])), name='contracts_vote_choice_valid'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
