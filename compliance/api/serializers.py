"""MI API v1 shapes of the standards endpoints (DATA.md). Figures come from selectors.standards unrounded;
StandardResultSerializer shapes them and rounds the percentages with the engine's `round_pct` (DOMAIN.md
15.16), so every reader shows the same numbers."""

from __future__ import annotations

from rest_framework import serializers

from compliance.engine import BACKLOG_SHARE, DEADLINE, StandardFigures, round_pct
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
        """The fields of the standard's measure only (DATA.md), percentages rounded half-to-even."""
        out: dict = {
            "code": instance.code,
            "measure": instance.measure,
            "limit_working_days": instance.limit_working_days,
        }
        if instance.measure == DEADLINE:
            out.update(
                target=float(instance.target),
                eligible=instance.eligible,
                met=instance.met,
                compliance_pct=round_pct(instance.met, instance.eligible),
            )
        elif instance.measure == BACKLOG_SHARE:
            out.update(
                target=float(instance.target),
                referrals=instance.referrals,
                backlog=instance.backlog,
                backlog_pct=round_pct(instance.backlog, instance.referrals),
                oldest_age_working_days=instance.oldest_age_working_days,
            )
        else:
            out.update(
                target=int(instance.target),
                over_limit=instance.over_limit,
                oldest_age_working_days=instance.oldest_age_working_days,
            )
        out["status"] = instance.status
        return out


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
