from rest_framework import serializers

from ..models import Contract


class ContractSerializer(serializers.ModelSerializer):
    """DATA.md: contract_ref, programme, name, cpa, nation, start_date, end_date, regime."""

    contract_ref = serializers.CharField(source="ref")
    programme = serializers.CharField(source="programme.code")

    class Meta:
        model = Contract
        fields = ["contract_ref", "programme", "name", "cpa", "nation", "start_date", "end_date", "regime"]
