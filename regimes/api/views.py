"""MI API v1: a contract's regime, recommendations, decisions, obligations and issue notices (DATA.md
"Regimes, notices and KPIs"). Thin: the scope (404) and the role (403) by participants.access, a selector or
service, a serializer. A rule refusing a decision is a 409 naming the rule; a missing or malformed field a
400 naming it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from participants import access
from participants.access import Action
from participants.api.views import ContractScopedView

from ..models import Obligation, Recommendation
from ..selectors import notices as selectors
from ..selectors.obligations import contract_obligations
from ..selectors.recommendations import contract_recommendations
from ..selectors.state import regime_state
from ..services import notices as services
from ..services.decisions import RuleRefused, record_decision
from .serializers import (
    DecisionInputSerializer,
    DecisionSerializer,
    NoticeInputSerializer,
    NoticeSerializer,
    ObligationSerializer,
    RecommendationSerializer,
    RegimeSerializer,
)


def _choice(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value and value not in choices:
        raise ValidationError({name: [f"{value!r}: expected one of {', '.join(choices)}"]})
    return value or None


@extend_schema(summary="A contract's regime state", tags=["regimes"])
class RegimeView(ContractScopedView):
    serializer_class = RegimeSerializer
    pagination_class = None

    def get(self, request, contract_ref: str):
        return Response(RegimeSerializer(regime_state(self.get_contract())).data)


@extend_schema(
    summary="A contract's recommendations",
    tags=["regimes"],
    parameters=[
        OpenApiParameter("status", str, enum=Recommendation.Status.values, required=False),
        OpenApiParameter("kind", str, enum=Recommendation.Kind.values, required=False),
    ],
)
class RecommendationsView(ContractScopedView, generics.ListAPIView):
    serializer_class = RecommendationSerializer

    def get_queryset(self):
        contract = self.get_contract()
        return contract_recommendations(
            contract,
            status=_choice(self.request, "status", Recommendation.Status.values),
            kind=_choice(self.request, "kind", Recommendation.Kind.values),
        )


@extend_schema(
    summary="A contract's obligations",
    tags=["regimes"],
    parameters=[OpenApiParameter("status", str, enum=["OPEN", "DONE", "OVERDUE"], required=False)],
)
class ObligationsView(ContractScopedView, generics.ListAPIView):
    serializer_class = ObligationSerializer

    def get_queryset(self):
        contract = self.get_contract()
        return contract_obligations(
            contract, status=_choice(self.request, "status", ["OPEN", "DONE", "OVERDUE"])
        )


@extend_schema(
    summary="Record a regime decision",
    tags=["regimes"],
    request=DecisionInputSerializer,
    responses={
        201: DecisionSerializer,
        409: OpenApiResponse(description="The rules forbid the decision: `detail` names the rule."),
    },
)
class DecisionsView(ContractScopedView):
    serializer_class = DecisionInputSerializer
    pagination_class = None

    def post(self, request, contract_ref: str):
        contract = self.get_contract()
        if not (
            access.can(request.user, Action.RECORD_DECISION, contract, in_scope=True)
            or access.can(request.user, Action.RECORD_DECISION_FOR_DWP, contract, in_scope=True)
        ):
            raise PermissionDenied(access.REFUSALS[Action.RECORD_DECISION])
        data_in = DecisionInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        recommendation = None
        if "recommendation" in data:
            recommendation = Recommendation.objects.filter(
                contract=contract, pk=data.pop("recommendation")
            ).first()
            if recommendation is None:
                raise ValidationError({"recommendation": ["not a recommendation of this contract"]})
            if recommendation.status != Recommendation.Status.OPEN:
                return Response(
                    {
                        "detail": f"17.6: this recommendation is already {recommendation.status.lower()}",
                        "rule": "17.6",
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        kind = data.pop("decision")
        try:
            recorded = record_decision(
                contract=contract, user=request.user, kind=kind, recommendation=recommendation, **data
            )
        except RuleRefused as exc:
            return Response({"detail": exc.message, "rule": exc.rule}, status=status.HTTP_409_CONFLICT)
        body = DecisionSerializer(recorded.decision).data
        body["obligations"] = ObligationSerializer(
            Obligation.objects.filter(pk__in=[o.pk for o in recorded.obligations]).select_related("owner"),
            many=True,
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


CONTRACT_REF = OpenApiParameter(
    "contract_ref", OpenApiTypes.STR, OpenApiParameter.PATH, description="The contract's reference."
)
WHO = "Read by everyone who sees the contract; written by the prime's contract and performance managers."


@extend_schema_view(
    get=extend_schema(
        summary="A contract's issue notices", description=WHO, parameters=[CONTRACT_REF], tags=["notices"]
    )
)
class NoticeList(ContractScopedView, generics.ListAPIView):
    serializer_class = NoticeSerializer

    def get_serializer_class(self):
        return NoticeInputSerializer if self.request.method == "POST" else NoticeSerializer

    def get_queryset(self):
        return selectors.contract_notices(self.get_contract())

    @extend_schema(
        summary="Write an issue notice",
        description="URGENT and RED_FLAG notices are queued at once; NORMAL ones are due by `due_by` (the "
        "contract's working days) and sent by the daily schedule. " + WHO,
        parameters=[CONTRACT_REF],
        tags=["notices"],
        request=NoticeInputSerializer,
        responses={
            201: NoticeSerializer,
            400: OpenApiResponse(description="A field is missing or malformed (named)."),
            403: OpenApiResponse(description="The caller may not write notices on this contract."),
            404: OpenApiResponse(description="A contract the caller may not see."),
        },
    )
    def post(self, request, *args, **kwargs):
        contract = self.get_contract()
        access.require(request.user, access.Action.MANAGE_CONTRACT, contract, in_scope=True)
        given = NoticeInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        notice = services.write_notice(contract=contract, user=request.user, fields=given.validated_data)
        # In the in-process mode an urgent notice has been sent by now, right after the commit.
        notice = selectors.notice_of(contract, notice.pk)
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="One issue notice and its delivery",
        description=WHO,
        parameters=[
            CONTRACT_REF,
            OpenApiParameter(
                "id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description="The notice's id."
            ),
        ],
        tags=["notices"],
    )
)
class NoticeDetail(ContractScopedView, generics.RetrieveAPIView):
    serializer_class = NoticeSerializer

    def get_object(self):
        return selectors.notice_of(self.get_contract(), self.kwargs["pk"])
