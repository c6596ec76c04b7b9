from rest_framework import serializers

from ..models import Contract, ImportRun


class ContractSerializer(serializers.ModelSerializer):
    """DATA.md: contract_ref, programme, name, cpa, nation, start_date, end_date, regime."""

    contract_ref = serializers.CharField(source="ref")
    programme = serializers.CharField(source="programme.code")
    regime = serializers.CharField(read_only=True, help_text="PMR or EPR, derived from DWP's decisions.")

    class Meta:
        model = Contract
        fields = ["contract_ref", "programme", "name", "cpa", "nation", "start_date", "end_date", "regime"]


class ImportRunSerializer(serializers.ModelSerializer):
    """An import (DATA.md `POST /api/v1/imports/`): its status (QUEUED, RUNNING, then SUCCEEDED, REJECTED or
    FAILED), progress while it runs, the rows counted per file, and the errors (the first 100)."""

    user = serializers.CharField(source="user.username", default=None, read_only=True, allow_null=True)
    contract_refs = serializers.ListField(child=serializers.CharField(), read_only=True)
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        read_only=True,
        help_text="Per file: added, updated, unchanged.",
    )
    errors = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="The first 100.")
    checksums = serializers.DictField(child=serializers.CharField(), read_only=True, help_text="SHA-256.")

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "status",
            "progress",
            "message",
            "source",
            "user",
            "started_at",
            "finished_at",
            "contract_refs",
            "counts",
            "errors",
            "error_count",
            "checksums",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    bundle = serializers.FileField(help_text="A .zip of a bundle folder (DATA.md).")


class ImportRejectedSerializer(serializers.Serializer):
    """A bundle refused: `errors` as `file:line: field: reason` (the first 100); `id`, `status` (REJECTED)
    and `error_count` when the import ran within the request and was recorded."""

    errors = serializers.ListField(child=serializers.CharField())
    id = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=ImportRun.Status.choices, required=False)
    error_count = serializers.IntegerField(required=False)
