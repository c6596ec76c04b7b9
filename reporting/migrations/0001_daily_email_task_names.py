"""The daily emails' beat schedules (compliance 0006, participants 0004) run the tasks under their names in
reporting.tasks, where the emails now live. Reversible: the old names come back."""

from django.db import migrations
from django.utils import timezone

RENAMES = [
    ("compliance.tasks_digest.send_due_soon_digests", "reporting.tasks.send_due_soon_digests"),
    ("participants.tasks_workspace.send_review_reminders", "reporting.tasks.send_review_reminders"),
]


def rename(apps, pairs):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in pairs:
        PeriodicTask.objects.filter(task=old).update(task=new)
    # A running beat (DatabaseScheduler) reloads its schedule when this changes (update() sends no signal).
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def forwards(apps, schema_editor):
    rename(apps, RENAMES)


def backwards(apps, schema_editor):
    rename(apps, [(new, old) for old, new in RENAMES])


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0006_due_soon_digest"),
        ("participants", "0004_review_reminder_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
