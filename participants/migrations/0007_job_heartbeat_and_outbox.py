"""The recompute claim's heartbeat (JobRun.heartbeat_at: a running run as of now keeps its claim for the
stale period), the email outbox and the pending recompute requests."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0006_reference_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='jobrun',
            name='heartbeat_at',
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="Refreshed while the run's worker lives; a stale one frees the claim."),
        ),
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text='What, for whom, for which day or object: a second message of the same key is not queued.', max_length=200, unique=True)),
                ('kind', models.CharField(blank=True, max_length=50)),
                ('from_email', models.CharField(max_length=254)),
                ('to', models.JSONField(default=list)),
                ('subject', models.CharField(max_length=255)),
                ('text', models.TextField()),
                ('html', models.TextField(blank=True)),
                ('message_id', models.CharField(max_length=255, unique=True)),
                ('state', models.CharField(choices=[('QUEUED', 'Queued'), ('SENDING', 'Sending'), ('SENT', 'Sent'), ('FAILED', 'Failed'), ('UNKNOWN', 'Unknown: check and queue again')], default='QUEUED', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('last_reply', models.TextField(blank=True, help_text="The SMTP server's last reply, or the error.")),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(blank=True, help_text="The recipient's login, when there is one: not sent once it is inactive.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'indexes': [models.Index(condition=models.Q(('state__in', ['QUEUED', 'SENDING'])), fields=['next_attempt_at'], name='outbox_pending')],
            },
        ),
        migrations.CreateModel(
            name='RecomputeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task', models.CharField(max_length=100)),
                ('months', models.JSONField(blank=True, help_text='"YYYY-MM" months touched; none: every month.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='participants.contract')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
    ]
