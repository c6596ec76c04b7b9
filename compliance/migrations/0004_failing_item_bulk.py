"""Failing items carry the referral's reference, group, site and key worker as at the snapshot (pages and the
API read one table), and drop per-row foreign-key triggers (bulk COPY writes). Snapshots are derived data:
existing ones are dropped here and rebuilt by the next recompute."""

import django.db.models.deletion
from django.db import migrations, models


def drop_snapshots(apps, schema_editor):
    apps.get_model("compliance", "FailingItem").objects.all().delete()
    apps.get_model("compliance", "StandardSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_nightly_recompute"),
        ("participants", "0002_seed_programmes"),
    ]

    operations = [
        migrations.RunPython(drop_snapshots, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="failingitem", name="referral",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="participants.referral"),
        ),
        migrations.AlterField(
            model_name="failingitem", name="snapshot",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="failing_items",
                                    to="compliance.standardsnapshot"),
        ),
        migrations.AddField(
            model_name="failingitem", name="referral_ref",
            field=models.CharField(default="", max_length=50), preserve_default=False,
        ),
        migrations.AddField(
            model_name="failingitem", name="group",
            field=models.CharField(default="", max_length=20), preserve_default=False,
        ),
        migrations.AddField(
            model_name="failingitem", name="site",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="participants.site"),
        ),
        migrations.AddField(
            model_name="failingitem", name="key_worker",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="participants.staff"),
        ),
    ]
