"""Contract.regime goes: the regime is derived from the regimes app's recorded decisions (DOMAIN.md 17.1)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0009_merge_issue_10"),
        # The regime is derived from recorded decisions now: carried over before the field goes.
        ("regimes", "0003_carry_over_regime_and_recommendations"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="contract",
            name="regime",
        ),
        migrations.RemoveField(
            model_name="historicalcontract",
            name="regime",
        ),
    ]
