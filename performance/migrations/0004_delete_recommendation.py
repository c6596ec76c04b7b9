"""Recommendations moved to the regimes app (issue 11), which copied the rows first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0003_projection_snapshots"),
        ("regimes", "0003_carry_over_regime_and_recommendations"),
    ]

    operations = [
        migrations.DeleteModel(
            name="Recommendation",
        ),
    ]
