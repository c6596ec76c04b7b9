"""MI API v1 shapes of the standards endpoints (DATA.md). Figures come from selectors.standards; the
engine's StandardFigures.as_output does the rounding, so every reader shows the same numbers."""

from __future__ import annotations

from rest_framework import serializers

from compliance.engine import StandardFigures
from compliance.models import Measure


class StandardResultSerializer(serializers.Serializer):
    """One standard's figures. Deadline measures carry eligible / met / compliance_pct, backlog share
    referrals / backlog / backlog_pct, backlog maximum over_limit; `status` is null when there is no
    figure."""

    code = serializers.CharField()
    measure = serializers.ChoiceField(choices=Measure.choices)
    limit_working_days = serializers.IntegerField()
    target = serializers.FloatField()
    eligible = serializers.IntegerField(required=False)
    met = serializers.IntegerField(required=False)
    compliance_pct = serializers.FloatField(required=False, allow_null=True)
    referrals = serializers.IntegerField(required=False)
    backlog = serializers.IntegerField(required=False)
    backlog_pct = serializers.FloatField(required=False, allow_null=True)
    over_limit = serializers.IntegerField(required=False)
    oldest_age_working_days = serializers.IntegerField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=["MET", "NOT_MET"], allow_null=True)

    def to_representation(self, instance: StandardFigures) -> dict:
        return instance.as_output()


class StandardsResponseSerializer(serializers.Serializer):
    contract_ref = serializers.CharField()
    as_of = serializers.DateField()
    results = StandardResultSerializer(many=True)


class FailingItemSerializer(serializers.Serializer):
    """A failing item (DOMAIN.md 15.5): `end_date` null while still open at the as-of date."""

    referral_ref = serializers.CharField()
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    age_working_days = serializers.IntegerField()
    group = serializers.CharField()


FAILURE_CSV_FIELDS = list(FailingItemSerializer().fields)
