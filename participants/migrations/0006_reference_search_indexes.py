"""Prefix search on referral and participant references, any case (the referral list's search box):
indexes on UPPER(ref) with text_pattern_ops, the form Django's `istartswith` lookup compares
(`UPPER("ref"::text) LIKE UPPER('...%')`)."""

from django.db import migrations

INDEXES = {
    "referral_ref_upper_prefix": "participants_referral",
    "participant_ref_upper_prefix": "participants_participant",
}


def create(apps, schema_editor):
    for name, table in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" (UPPER("ref"::text) text_pattern_ops)')


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("participants", "0005_job_run_claim_without_contract")]

    operations = [migrations.RunPython(create, drop)]
