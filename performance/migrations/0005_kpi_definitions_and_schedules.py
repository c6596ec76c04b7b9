"""The KPIs of DOMAIN.md 11 (seed 001) per role, and the beat schedules of the KPI ratings (each quarter's
first morning, for the quarter just ended) and of the daily scores on the doors email."""

from django.db import migrations

DEFINITIONS = [
    ("KEY_WORKER", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("KEY_WORKER", "Job outcomes", "JOB_OUTCOMES", "MINIMUM"),
    ("KEY_WORKER", "Sustainments", "SUSTAINMENTS", "MINIMUM"),
    ("KEY_WORKER", "Action plan reviews on time", "AP_REVIEWS_ON_TIME", "MINIMUM"),
    ("KEY_WORKER", "Peer support group progress", "PSG_PROGRESS", "MINIMUM"),
    ("KEY_WORKER", "Complaints", "COMPLAINTS", "MAXIMUM"),
    ("ENGAGEMENT_OFFICER", "Starts", "STARTS", "MINIMUM"),
    ("ENGAGEMENT_OFFICER", "Eligibility checks", "ELIGIBILITY_CHECKS", "MINIMUM"),
    ("EMPLOYER_ACCOUNT_MANAGER", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("EMPLOYER_ACCOUNT_MANAGER", "Placements sourced", "PLACEMENTS_SOURCED", "MINIMUM"),
    # A subcontractor is held to the prime's KPIs (DOMAIN.md 11).
    ("SUBCONTRACTOR", "Starts", "STARTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Job outcomes", "JOB_OUTCOMES", "MINIMUM"),
    ("SUBCONTRACTOR", "Sustainments", "SUSTAINMENTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Earnings starts", "EARNINGS_STARTS", "MINIMUM"),
]
SCHEDULES = [
    # (name, task, crontab minute, hour, day of month)
    ("performance: KPI ratings at quarter end", "performance.tasks.rate_all_contracts", "30", "3", "1"),
    ("performance: scores on the doors", "performance.tasks.send_scores_on_the_doors", "0", "7", "*"),
]


def create(apps, schema_editor):
    KpiDefinition = apps.get_model("performance", "KpiDefinition")
    for applies_to, name, source, direction in DEFINITIONS:
        KpiDefinition.objects.update_or_create(
            applies_to=applies_to, source=source, defaults={"name": name, "direction": direction}
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day in SCHEDULES:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="1-5" if day == "*" else "*",
            day_of_month=day,
            month_of_year="*",
            timezone="Europe/London",
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": schedule, "enabled": True}
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_ in SCHEDULES]
    ).delete()
    apps.get_model("performance", "KpiDefinition").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0004_kpis_ratings_pips"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
