"""Shapes of the regimes endpoints (DATA.md "Regimes, notices and KPIs")."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Decision, Epr, IssueNotice, Obligation, Pican, Pin, Recommendation
from ..services.notices import TEXT_FIELDS, recipients


class MonthField(serializers.DateField):
    """A month shown as YYYY-MM (stored as its first day)."""

    def to_representation(self, value):
        return value and f"{value:%Y-%m}"


class EprSerializer(serializers.ModelSerializer):
    class Meta:
        model = Epr
        fields = ["id", "started_on", "review_due", "ends_on", "status"]


class PinSerializer(serializers.ModelSerializer):
    quarter_end = MonthField()
    remedy_end = MonthField()

    class Meta:
        model = Pin
        fields = ["id", "group", "quarter_end", "issued_on", "remedy_end", "jo_target", "status"]


class PicanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pican
        fields = ["id", "indicator", "issued_on", "status"]


class RegimeSerializer(serializers.Serializer):
    contract_ref = serializers.CharField(source="contract.ref")
    programme = serializers.CharField(source="contract.programme.code")
    regime = serializers.CharField()
    levels = serializers.ListField(child=serializers.IntegerField())
    epr = EprSerializer(allow_null=True)
    pins = PinSerializer(many=True)
    picans = PicanSerializer(many=True)


class RecommendationSerializer(serializers.ModelSerializer):
    quarter_end = MonthField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "kind",
            "group",
            "quarter_end",
            "pct_of_mpl",
            "message",
            "status",
            "decided_by",
            "decided_on",
            "reason",
        ]

    def get_decided_by(self, rec) -> str | None:
        user = rec.decided_by
        return (user.get_full_name() or user.get_username()) if user else None

    def to_representation(self, rec):
        data = super().to_representation(rec)
        data["pct_of_mpl"] = None if rec.pct_of_mpl is None else round(rec.pct_of_mpl, 2)
        return data


class ObligationSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    status = serializers.CharField(source="display_status")

    class Meta:
        model = Obligation
        fields = ["id", "kind", "due_date", "owner", "status", "source"]

    def get_owner(self, o) -> str | None:
        return o.owner.get_username() if o.owner else None


class DecisionSerializer(serializers.ModelSerializer):
    decision = serializers.CharField(source="kind")

    class Meta:
        model = Decision
        fields = [
            "id",
            "decision",
            "decided_on",
            "reason",
            "decided_by",
            "recorded_for_dwp",
            "evidence",
            "epr",
            "pin",
            "pican",
            "level",
            "active",
        ]


class MonthInput(serializers.CharField):
    def to_internal_value(self, value):
        from datetime import date

        value = super().to_internal_value(value)
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            raise serializers.ValidationError(f"{value!r} is not a month (YYYY-MM).") from None


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Kind.values)
    reason = serializers.CharField()
    decided_on = serializers.DateField(required=False)
    decided_by = serializers.CharField(required=False, allow_blank=True, max_length=200)
    group = serializers.CharField(required=False)
    quarter_end = MonthInput(required=False)
    remedy_end = MonthInput(required=False)
    pin = serializers.IntegerField(required=False)
    level = serializers.IntegerField(required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    indicator = serializers.CharField(required=False)
    pican = serializers.IntegerField(required=False)
    recommendation = serializers.IntegerField(required=False)


class NoticeInputSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=TEXT_FIELDS["summary"])
    urgency = serializers.ChoiceField(choices=IssueNotice.Urgency.choices)
    remedial_action = serializers.CharField(max_length=TEXT_FIELDS["remedial_action"])
    avoid_repetition = serializers.CharField(max_length=TEXT_FIELDS["avoid_repetition"])
    people_told = serializers.CharField(max_length=TEXT_FIELDS["people_told"])
    extra_recipients = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list, max_length=20
    )


class NoticeSerializer(serializers.ModelSerializer):
    """A notice and its delivery: the state, Message-ID, attempts, send time and error are its email's."""

    state = serializers.ChoiceField(choices=IssueNotice.State.choices, read_only=True)
    queued_at = serializers.DateTimeField(source="message.created_at", read_only=True, allow_null=True)
    sent_at = serializers.DateTimeField(source="message.sent_at", read_only=True, allow_null=True)
    message_id = serializers.CharField(source="message.message_id", read_only=True, allow_null=True)
    recipients = serializers.SerializerMethodField()
    attempts = serializers.SerializerMethodField()
    last_error = serializers.SerializerMethodField(
        help_text="The SMTP server's last refusal or the error; empty once SENT."
    )

    class Meta:
        model = IssueNotice
        fields = [
            "id",
            "state",
            "urgency",
            "due_by",
            "queued_at",
            "sent_at",
            "message_id",
            "recipients",
            "attempts",
            "last_error",
            "summary",
            "remedial_action",
            "avoid_repetition",
            "people_told",
            "extra_recipients",
            "created_at",
        ]
        read_only_fields = fields

    def get_recipients(self, notice) -> list[str]:
        return list(notice.message.to) if notice.message else recipients(notice)

    def get_attempts(self, notice) -> int:
        return notice.message.attempts if notice.message else 0

    def get_last_error(self, notice) -> str:
        if not notice.message or notice.message.state == notice.State.SENT:
            return ""
        return notice.message.last_reply
