"""MI API v1: a contract's performance, cohorts and quarterly assessments (DATA.md). Thin: parse, select,
render. Figures come from snapshots when present, else the same engine on demand (selectors.figures)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from participants import params
from participants.api.renderers import CSVRenderer
from participants.api.views import ContractScopedView
from participants.exports import csv_response, values_of

from .. import engine
from ..selectors import figures as selectors
from ..selectors import slices
from . import records
from .serializers import (
    COHORT_CSV_FIELDS,
    AssessmentSerializer,
    CohortsResponseSerializer,
    PerformanceSerializer,
    cohort_csv_rows,
)

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
SLICE = [
    OpenApiParameter(
        "site", OpenApiTypes.STR, required=False, description="A site ref: that site's referrals only."
    ),
    OpenApiParameter(
        "organisation",
        OpenApiTypes.STR,
        required=False,
        description="A delivering organisation's ref: its referrals only (subcontractor staff: their own, "
        "the default).",
    ),
    OpenApiParameter(
        "key_worker", OpenApiTypes.STR, required=False, description="A staff ref: that key worker's caseload."
    ),
    OpenApiParameter(
        "dda", OpenApiTypes.STR, required=False, description="A Devolution Deal Area of the contract (WHP)."
    ),
]
FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"], required=False, description="csv: the rows as CSV."
)


class ContractFiguresView(ContractScopedView):
    """Figures of one contract, unpaginated; lists answer `?format=csv` too."""

    pagination_class = None
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]


class PerformanceView(ContractFiguresView):
    serializer_class = PerformanceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                required=True,
                pattern=MONTH_PATTERN,
                description="YYYY-MM: the month M the period ends with (not before the contract start).",
            ),
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                required=True,
                enum=list(engine.PERIODS),
                description="in_month, rolling_3, rolling_12, quarter (contract-year quarter to M), "
                "ytd (contract year to date) or ctd (contract to date).",
            ),
            OpenApiParameter(
                "group",
                OpenApiTypes.STR,
                required=False,
                description="ALL (default) or one of the programme's groups.",
            ),
            *SLICE,
            FORMAT,
        ],
        responses=PerformanceSerializer,
        summary="Flows and performance against MPL for a period",
    )
    def get(self, request, contract_ref: str):
        contract = self.get_contract()
        rules = selectors.rules_for(contract.programme)
        query = request.query_params
        month = params.parse_month(query.get("month"), contract_start=contract.start_date)
        period = params.parse_choice(query.get("period"), engine.PERIODS, field="period")
        group = params.parse_group(query.get("group"), groups=rules.report_groups, programme=rules.code)
        part = slices.parse_slice(request.user, contract, query)
        figures = selectors.performance_figures(
            contract, month=engine.month_of(month), period=period, group=group, part=part
        )
        return Response(PerformanceSerializer(records.performance_record(figures, contract.ref)).data)


class CohortsView(ContractFiguresView):
    serializer_class = CohortsResponseSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "group",
                OpenApiTypes.STR,
                required=False,
                description="ALL (default) or one of the programme's groups.",
            ),
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                required=False,
                description="Cohorts up to the last month ended on or before this date "
                "(default: the latest referral or event date held).",
            ),
            *SLICE,
            FORMAT,
        ],
        responses=CohortsResponseSerializer,
        summary="Cohort sizes and conversion against the MPL profile",
    )
    def get(self, request, contract_ref: str):
        contract = self.get_contract()
        rules = selectors.rules_for(contract.programme)
        group = params.parse_group(
            request.query_params.get("group"), groups=rules.report_groups, programme=rules.code
        )
        as_of = params.parse_date(request.query_params.get("as_of"), field="as_of")
        part = slices.parse_slice(request.user, contract, request.query_params)
        as_of, rows = selectors.cohort_figures(contract, group=group, as_of=as_of, part=part)
        results = records.cohort_records(rows)
        if request.accepted_renderer.format == CSVRenderer.format:
            return csv_response(
                f"{contract.ref}-cohorts-{group}.csv",
                COHORT_CSV_FIELDS,
                values_of(cohort_csv_rows(results), COHORT_CSV_FIELDS),
            )
        return Response(
            CohortsResponseSerializer(
                {"contract_ref": contract.ref, "group": group, "as_of": as_of, "results": results}
            ).data
        )


class AssessmentsView(ContractFiguresView):
    serializer_class = AssessmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quarter_end",
                OpenApiTypes.STR,
                required=True,
                pattern=r"^\d{4}-(03|06|09|12)$",
                description="YYYY-MM, a March, June, September or December.",
            ),
            OpenApiParameter("group", OpenApiTypes.STR, required=True, description="A measured group."),
            OpenApiParameter(
                "final",
                OpenApiTypes.BOOL,
                required=False,
                description="true: the final assessment (12 validated months).",
            ),
            FORMAT,
        ],
        responses=AssessmentSerializer,
        summary="WP formal quarterly review of a measured group (404 for other programmes)",
    )
    def get(self, request, contract_ref: str):
        contract = self.get_contract()
        rules = selectors.rules_for(contract.programme)
        if not rules.has_quarterly_review:  # DOMAIN.md 15.15
            raise NotFound(f"{rules.code} contracts have no formal quarterly reviews.")
        query = request.query_params
        quarter_end = params.parse_quarter_end(query.get("quarter_end"), contract_start=contract.start_date)
        group = params.parse_group(
            query.get("group"),
            groups=rules.measured_groups,
            programme=rules.code,
            kind="measured group",
            default=None,
        )
        final = params.parse_bool(query.get("final"), field="final")
        figures = selectors.assessment_figures(
            contract, quarter_end=engine.month_of(quarter_end), group=group, final=final
        )
        return Response(AssessmentSerializer(records.assessment_record(figures, contract.ref)).data)
