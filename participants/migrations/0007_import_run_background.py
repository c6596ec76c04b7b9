"""Imports run in the background (issue 10): QUEUED and REJECTED statuses, progress, the kept upload."""

from django.db import migrations, models


def rejected_and_queued_back_to_failed(apps, schema_editor):
    """Going back: the earlier code knows neither status; a rejected or never-run import had failed."""
    ImportRun = apps.get_model("participants", "ImportRun")
    ImportRun.objects.filter(status__in=["QUEUED", "REJECTED"]).update(status="FAILED")


class Migration(migrations.Migration):

    dependencies = [
        ("participants", "0006_reference_search_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("QUEUED", "Queued"),
                    ("RUNNING", "Running"),
                    ("SUCCEEDED", "Succeeded"),
                    ("REJECTED", "Rejected"),
                    ("FAILED", "Failed"),
                ],
                default="RUNNING",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, help_text="Percent done (background runs)."),
        ),
        migrations.AddField(
            model_name="importrun",
            name="message",
            field=models.CharField(
                blank=True, help_text="The step a background run is at.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="upload",
            field=models.CharField(
                blank=True,
                help_text="The uploaded bundle under MEDIA_ROOT until its background run ends (then removed).",
                max_length=200,
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, rejected_and_queued_back_to_failed),
    ]
