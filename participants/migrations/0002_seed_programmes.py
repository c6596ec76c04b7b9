"""Ship WP, WHP and CAP as programme templates (DOMAIN.md 2 and 5)."""

from django.db import migrations

PROGRAMMES = [
    {
        "code": "WP", "name": "Work Programme",
        "groups": ["PG1", "PG2", "PG3", "PG4", "PG5", "PG6A", "PG6B", "PG7", "PG8", "PG9"],
        "measured_groups": ["PG1", "PG2", "PG6A"],
        "cohort_basis": "REFERRAL", "outcome_window_days": None, "has_quarterly_review": True,
    },
    {
        "code": "WHP", "name": "Work and Health Programme",
        "groups": ["DISABILITY", "EARLY_ENTRY", "LTU"],
        "measured_groups": ["DISABILITY", "EARLY_ENTRY", "LTU"],
        "cohort_basis": "START", "outcome_window_days": 639, "has_quarterly_review": False,
    },
    {
        "code": "CAP", "name": "Community Action Programme",
        "groups": ["ALL"], "measured_groups": ["ALL"],
        "cohort_basis": "REFERRAL", "outcome_window_days": None, "has_quarterly_review": False,
    },
]


def seed(apps, schema_editor):
    Programme = apps.get_model("participants", "Programme")
    for row in PROGRAMMES:
        Programme.objects.update_or_create(code=row["code"], defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("participants", "Programme").objects.filter(code__in=[p["code"] for p in PROGRAMMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
