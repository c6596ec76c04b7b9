"""MI API v1 shapes of the performance endpoints (DATA.md). The figures arrive already in output form from
the functions of records.py (which round, DOMAIN.md 15.16); these serializers declare the shapes for the
schema and pass the records through."""

from __future__ import annotations

from rest_framework import serializers

from performance.engine import PERIODS


class _Passthrough(serializers.Serializer):
    def to_representation(self, instance: dict) -> dict:
        return instance


class PerformanceSerializer(_Passthrough):
    contract_ref = serializers.CharField()
    group = serializers.CharField()
    period = serializers.ChoiceField(choices=PERIODS)
    period_start = serializers.CharField(help_text="YYYY-MM")
    period_end = serializers.CharField(help_text="YYYY-MM")
    referrals = serializers.IntegerField()
    starts = serializers.IntegerField()
    did_not_start = serializers.IntegerField()
    failed_to_attend = serializers.IntegerField()
    job_starts = serializers.IntegerField()
    earnings_starts = serializers.IntegerField()
    job_outcomes = serializers.IntegerField()
    sustainments = serializers.IntegerField()
    exits = serializers.IntegerField()
    mpl_required = serializers.FloatField()
    variance = serializers.FloatField()
    pct_of_mpl = serializers.FloatField(allow_null=True, help_text="Null when mpl_required is 0.")


class CohortSerializer(_Passthrough):
    cohort = serializers.CharField(help_text="YYYY-MM")
    size = serializers.IntegerField()
    conversion_pct = serializers.ListField(
        child=serializers.FloatField(), help_text="Index 0 is month 1 on programme."
    )
    profile_pct = serializers.ListField(child=serializers.FloatField())


class CohortsResponseSerializer(_Passthrough):
    contract_ref = serializers.CharField()
    group = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    results = CohortSerializer(many=True)


class AssessmentSerializer(_Passthrough):
    contract_ref = serializers.CharField()
    group = serializers.CharField()
    quarter_end = serializers.CharField(help_text="YYYY-MM")
    window_start = serializers.CharField(help_text="YYYY-MM")
    validated_months = serializers.IntegerField()
    validated_outcomes = serializers.IntegerField()
    extrapolated_outcomes = serializers.FloatField()
    adjusted_outcomes = serializers.FloatField()
    invalid_pct_used = serializers.FloatField()
    mpl_required = serializers.FloatField()
    met = serializers.BooleanField()


COHORT_CSV_FIELDS = ["cohort", "size", "month_on_programme", "conversion_pct", "profile_pct"]


def cohort_csv_rows(results: list[dict]):
    """One CSV row per cohort and month on programme (lists do not fit a CSV cell)."""
    for row in results:
        for k, (conversion, profile) in enumerate(
            zip(row["conversion_pct"], row["profile_pct"], strict=True)
        ):
            yield {
                "cohort": row["cohort"],
                "size": row["size"],
                "month_on_programme": k + 1,
                "conversion_pct": conversion,
                "profile_pct": profile,
            }
