"""Every minute (django-celery-beat, editable in admin): send the emails the outbox still holds, and relay the
recompute requests the broker did not take when their change committed (participants.tasks)."""

import json

from django.db import migrations

SCHEDULES = {
    "Send queued emails": "participants.tasks.send_outbox",
    "Relay pending recompute requests": "participants.tasks.relay_recompute_requests",
}


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for name, task in SCHEDULES.items():
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "interval": every_minute, "args": json.dumps([]), "enabled": True},
        )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0007_job_heartbeat_and_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
