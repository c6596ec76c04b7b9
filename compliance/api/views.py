"""MI API v1: a contract's standards and a standard's failing items (DATA.md). Thin: parse, select, render."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from participants.api.renderers import CSVRenderer
from participants.api.views import ContractScopedView
from participants.audit import log_access
from participants.exports import csv_response, values_of

from ..selectors import standards as selectors
from .serializers import FAILURE_CSV_FIELDS, FailingItemSerializer, StandardsResponseSerializer

CONTRACT_REF = OpenApiParameter(
    "contract_ref", OpenApiTypes.STR, OpenApiParameter.PATH, description="The contract's reference."
)
CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="A standard's code.")
QUERY_PARAMETERS = [
    CONTRACT_REF,
    OpenApiParameter(
        "as_of",
        OpenApiTypes.DATE,
        required=True,
        description="Standards as at this date: events dated later do not exist yet.",
    ),
    OpenApiParameter(
        "group",
        OpenApiTypes.STR,
        required=False,
        description="ALL (default) or one of the programme's groups.",
    ),
    OpenApiParameter(
        "window_start",
        OpenApiTypes.DATE,
        required=False,
        description="Only items whose start is on or after this date (default: contract start).",
    ),
    OpenApiParameter(
        "window_end",
        OpenApiTypes.DATE,
        required=False,
        description="Only items whose start is on or before this date (capped at as_of).",
    ),
]


class StandardsView(ContractScopedView):
    pagination_class = None
    serializer_class = StandardsResponseSerializer

    @extend_schema(
        parameters=QUERY_PARAMETERS,
        responses=StandardsResponseSerializer,
        summary="Customer service standards of a contract as at a date",
    )
    def get(self, request, contract_ref: str):
        contract = self.get_contract()
        query = selectors.standards_query(contract, request.query_params)
        figures = selectors.standards_figures(contract, query)
        return Response(
            StandardsResponseSerializer(
                {"contract_ref": contract.ref, "as_of": query.as_of, "results": figures}
            ).data
        )


class StandardFailuresView(ContractScopedView):
    serializer_class = FailingItemSerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            *QUERY_PARAMETERS,
            CODE,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                required=False,
                description="csv: every failing item, streamed, not paginated.",
            ),
        ],
        responses=FailingItemSerializer(many=True),
        summary="Failing items of one standard (drill-down)",
    )
    def get(self, request, contract_ref: str, code: str):
        contract = self.get_contract()
        standard = selectors.standard_by_code(contract, code)
        if standard is None:
            raise NotFound(f"{code!r} is not a standard of contract {contract.ref}.")
        query = selectors.standards_query(contract, request.query_params)
        items = selectors.failing_items(contract, standard, query, user=request.user)
        if request.accepted_renderer.format == CSVRenderer.format:
            log_access(request, rows=items)
            rows = items.iterator(chunk_size=5000) if hasattr(items, "iterator") else items
            return csv_response(
                f"{contract.ref}-{standard.code}-failures-{query.as_of.isoformat()}.csv",
                FAILURE_CSV_FIELDS,
                values_of(rows, FAILURE_CSV_FIELDS),
            )
        page = self.paginate_queryset(items)
        log_access(request, rows=page)
        return self.get_paginated_response(FailingItemSerializer(page, many=True).data)
