from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from .. import access
from ..exports import csv_response, values_of
from ..filtersets import ContractFilterSet
from ..models import Contract
from ..selectors import visible_contract
from .renderers import CSVRenderer
from .serializers import ContractSerializer


class JSONErrorsMixin:
    """Errors are JSON ({"field": ["reason"]}) even when `?format=csv` asked for rows."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and renderer.format == "csv":
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ContractScopedView(JSONErrorsMixin, GenericAPIView):
    """A contract the caller may see, by reference; any other is a 404 (DATA.md). Every endpoint of a
    contract asks for it here before it reads anything. Query parameters are parsed by participants.params,
    not filter backends."""

    filter_backends: list = []

    def get_contract(self) -> Contract:
        """The contract in the caller's scope (404 otherwise) that their role may see (403 otherwise)."""
        contract = visible_contract(self.request.user, self.kwargs["contract_ref"])
        access.require(self.request.user, access.Action.VIEW, contract, in_scope=True)
        return contract


class CSVListMixin(JSONErrorsMixin):
    """MI API lists answer `?format=csv` with every row streamed, not a page (DATA.md)."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    csv_filename = "export.csv"

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            queryset = self.filter_queryset(self.get_queryset())
            serializer_class = self.get_serializer_class()
            rows = (serializer_class(obj, context=self.get_serializer_context()).data
                    for obj in queryset.iterator(chunk_size=2000))
            header = list(serializer_class().fields)
            return csv_response(self.csv_filename, header, values_of(rows, header))
        return super().list(request, *args, **kwargs)


@extend_schema(summary="Contracts the caller may see", tags=["contracts"])
class ContractList(CSVListMixin, generics.ListAPIView):
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    csv_filename = "contracts.csv"

    def get_queryset(self):
        return Contract.objects.visible_to(self.request.user).select_related("programme").order_by("ref")
