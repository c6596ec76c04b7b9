"""MI API v1: a contract's KPI ratings of a quarter (DATA.md "Regimes, notices and KPIs"; DOMAIN.md 17.14-15).
One row per unit with a target in the quarter, by ref; paginated; `?format=csv` streams one line per KPI."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from participants import params
from participants.api.renderers import CSVRenderer
from participants.api.views import ContractScopedView
from participants.errors import FlightpathError
from participants.exports import csv_response
from participants.models import KpiLevel

from ..engine.months import month_of
from ..kpis import engine
from ..kpis import selectors as kpi_selectors

CSV_FIELDS = ["level", "ref", "quarter_end", "rag", "kpi", "target", "actual", "met"]


class KpiSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    target = serializers.FloatField()
    actual = serializers.IntegerField()
    met = serializers.BooleanField()


class KpiRatingSerializer(serializers.Serializer):
    level = serializers.CharField()
    ref = serializers.CharField()
    quarter_end = serializers.DateField(format="%Y-%m")
    rag = serializers.CharField()
    kpis = KpiSerializer(many=True)


class KpisView(ContractScopedView):
    serializer_class = KpiRatingSerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quarter_end",
                OpenApiTypes.STR,
                required=True,
                pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                description="YYYY-MM: the last month of a contract-year quarter.",
            ),
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                required=False,
                enum=list(KpiLevel.values),
                description="One level (default: every level).",
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                required=False,
                description="csv: one line per KPI.",
            ),
        ],
        responses=KpiRatingSerializer(many=True),
        summary="KPI ratings of a quarter, with the KPIs behind each",
    )
    def get(self, request, contract_ref: str):
        contract = self.get_contract()
        quarter = params.parse_month(request.query_params.get("quarter_end"), field="quarter_end")
        if not engine.is_quarter_end(month_of(quarter), contract.year_start_month):
            raise FlightpathError(
                f"{quarter:%Y-%m} does not end a quarter of the contract year (which starts in "
                f"{quarter.replace(month=contract.year_start_month):%B}).",
                field="quarter_end",
            )
        level = params.parse_choice(
            request.query_params.get("level"), ["", *KpiLevel.values], field="level", default=""
        )
        rows = kpi_selectors.ratings(
            contract, request.user, quarter_end=quarter, level=level or None
        ).order_by("ref", "level")
        if request.accepted_renderer.format == CSVRenderer.format:
            lines = (
                [
                    r.level,
                    r.ref,
                    f"{r.quarter_end:%Y-%m}",
                    r.rag,
                    k["kpi"],
                    k["target"],
                    k["actual"],
                    k["met"],
                ]
                for r in rows.iterator(chunk_size=2000)
                for k in r.kpis
            )
            return csv_response(f"{contract.ref}-kpis-{quarter:%Y-%m}.csv", CSV_FIELDS, lines)
        page = self.paginate_queryset(rows.only("level", "ref", "quarter_end", "rag", "kpis"))
        return self.get_paginated_response(KpiRatingSerializer(page, many=True).data)
