from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from ..filtersets import ContractFilterSet
from ..models import Contract
from .renderers import CSVRenderer, streaming_csv_response
from .serializers import ContractSerializer


class CSVListMixin:
    """MI API lists answer `?format=csv` with every row streamed, not a page (DATA.md)."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    csv_filename = "export.csv"

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            queryset = self.filter_queryset(self.get_queryset())
            serializer_class = self.get_serializer_class()
            rows = (serializer_class(obj, context=self.get_serializer_context()).data
                    for obj in queryset.iterator(chunk_size=2000))
            return streaming_csv_response(rows, list(serializer_class().fields), self.csv_filename)
        return super().list(request, *args, **kwargs)


@extend_schema(summary="Contracts the caller may see", tags=["contracts"])
class ContractList(CSVListMixin, generics.ListAPIView):
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    csv_filename = "contracts.csv"

    def get_queryset(self):
        return Contract.objects.visible_to(self.request.user).select_related("programme").order_by("ref")
