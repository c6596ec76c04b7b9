"""The MI API's issue notices (DATA.md "Regimes, notices and KPIs")."""

from __future__ import annotations

from rest_framework import serializers

from ..models import IssueNotice
from ..services.notices import TEXT_FIELDS, recipients


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
