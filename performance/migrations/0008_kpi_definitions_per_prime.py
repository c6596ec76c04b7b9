"""KPI definitions per prime (issue 12): each prime organisation gets its own copy of the product-wide
definitions (those migration 0005 shipped, as they stand), each with a first history row, and the
product-wide rows go. Apart from 0007 and 0009: on PostgreSQL a table cannot be altered in the transaction
that wrote rows with deferred foreign keys.

Backwards: the product-wide set comes back as shipped (a prime's own edits are not kept)."""

from django.db import migrations
from django.utils import timezone

# A frozen copy of performance.kpis.definitions.SHIPPED: (role, name, source, direction).
SHIPPED = [
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
    ("SUBCONTRACTOR", "Starts", "STARTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Job outcomes", "JOB_OUTCOMES", "MINIMUM"),
    ("SUBCONTRACTOR", "Sustainments", "SUSTAINMENTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Earnings starts", "EARNINGS_STARTS", "MINIMUM"),
]
REASON = "The shipped KPI definitions"


def per_prime(apps, schema_editor):
    KpiDefinition = apps.get_model("performance", "KpiDefinition")
    History = apps.get_model("performance", "HistoricalKpiDefinition")
    Organisation = apps.get_model("participants", "Organisation")
    product_wide = KpiDefinition.objects.filter(prime__isnull=True)
    rows = list(product_wide.values_list("applies_to", "name", "source", "direction")) or [
        (role, name, source, direction) for role, name, source, direction in SHIPPED
    ]
    primes = list(Organisation.objects.filter(kind="PRIME").values_list("pk", flat=True))
    created = KpiDefinition.objects.bulk_create(
        KpiDefinition(prime_id=prime, applies_to=role, name=name, source=source, direction=direction)
        for prime in primes
        for role, name, source, direction in rows
    )
    now = timezone.now()
    History.objects.bulk_create(
        History(
            id=row.pk,
            prime_id=row.prime_id,
            applies_to=row.applies_to,
            name=row.name,
            source=row.source,
            direction=row.direction,
            active=True,
            history_date=now,
            history_type="+",
            history_change_reason=REASON,
        )
        for row in created
    )
    product_wide.delete()


def product_wide(apps, schema_editor):
    KpiDefinition = apps.get_model("performance", "KpiDefinition")
    KpiDefinition.objects.all().delete()
    KpiDefinition.objects.bulk_create(
        KpiDefinition(applies_to=role, name=name, source=source, direction=direction)
        for role, name, source, direction in SHIPPED
    )


class Migration(migrations.Migration):
    dependencies = [("performance", "0007_kpi_definitions_prime_and_active")]
    operations = [migrations.RunPython(per_prime, product_wide)]
