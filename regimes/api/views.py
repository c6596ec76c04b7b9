"""MI API v1: a contract's issue notices (DATA.md). Thin: parse, call a selector or service, render.

Everyone who sees the contract reads its notices; only the prime's contract and performance managers write
one (403 for anyone else in scope, 404 outside it)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response

from participants import access
from participants.api.views import ContractScopedView

from ..selectors import notices as selectors
from ..services import notices as services
from .serializers import NoticeInputSerializer, NoticeSerializer

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
