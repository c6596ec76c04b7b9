"""Seed the shipped standards CSS1a-CSS6 (WHP) and CAP1-CAP5 (CAP) from DOMAIN.md 9 (compliance.defaults)."""

from django.db import migrations

from compliance.defaults import SHIPPED_STANDARDS


def seed(apps, schema_editor):
    Programme = apps.get_model("participants", "Programme")
    Standard = apps.get_model("compliance", "Standard")
    programmes = {p.code: p for p in Programme.objects.all()}
    for position, row in enumerate(SHIPPED_STANDARDS):
        values = {k: v for k, v in row.items() if k not in ("programme", "code")}
        Standard.objects.update_or_create(
            programme=programmes[row["programme"]], contract=None, code=row["code"],
            defaults={**values, "position": position},
        )


def unseed(apps, schema_editor):
    Standard = apps.get_model("compliance", "Standard")
    for row in SHIPPED_STANDARDS:
        Standard.objects.filter(programme__code=row["programme"], contract=None, code=row["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial"), ("participants", "0002_seed_programmes")]
    operations = [migrations.RunPython(seed, unseed)]
