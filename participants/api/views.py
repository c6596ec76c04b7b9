from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from .. import access
from ..errors import FlightpathError
from ..exports import csv_response, values_of
from ..filtersets import ContractFilterSet
from ..imports import uploads
from ..models import Contract, ImportRun
from ..selectors import visible_contract
from .renderers import CSVRenderer
from .serializers import (
    ContractSerializer,
    ImportRejectedSerializer,
    ImportRunSerializer,
    ImportUploadSerializer,
)


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
            rows = (
                serializer_class(obj, context=self.get_serializer_context()).data
                for obj in queryset.iterator(chunk_size=2000)
            )
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


class ImportsView(GenericAPIView):
    """The imports endpoints (DATA.md): only the prime's performance and contract managers (and support
    staff), and only the imports they may see (`ImportRun.objects.visible_to`)."""

    filter_backends: list = []

    def check_permissions(self, request):
        super().check_permissions(request)
        uploads.require_importer(request.user)

    def get_queryset(self):
        return ImportRun.objects.visible_to(self.request.user).select_related("user")


def _rejected(errors: list[str], run: ImportRun | None = None) -> Response:
    body = {"errors": errors}
    if run is not None:
        body.update(id=run.pk, status=run.status, error_count=run.error_count)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# Who may see an import, as the schema tells it.
VISIBLE_IMPORTS = (
    "Only the prime's performance and contract managers (and support staff) reach these endpoints; they see "
    "the imports they started and every import of their prime's contracts."
)


@extend_schema_view(
    get=extend_schema(summary="The imports the caller may see", description=VISIBLE_IMPORTS, tags=["imports"])
)
class ImportList(ImportsView, generics.ListAPIView):
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser]

    def get_serializer_class(self):
        # The browsable API's form for POST is the upload's.
        return ImportUploadSerializer if self.request.method == "POST" else ImportRunSerializer

    def dispatch(self, request, *args, **kwargs):
        # The upload is streamed to its own folder from the first byte read (imports.uploads), so the handler
        # is set before DRF reads the body; whatever no queued run took is removed when the request ends.
        self.upload = uploads.BundleUploadHandler(
            request, field="bundle", limit=settings.FLIGHTPATH_UPLOAD_MAX_BYTES
        )
        request.upload_handlers = [self.upload]
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            self.upload.discard()

    def handle_exception(self, exc):
        # A body that is not a multipart upload is refused as every other bundle is: {"errors": [...]}.
        if isinstance(exc, ParseError | UnsupportedMediaType):
            return _rejected([f"bundle: {exc.detail} (send the .zip as multipart/form-data)"])
        return super().handle_exception(exc)

    @extend_schema(
        summary="Import a bundle (.zip)",
        description="Does what the upload page does. Nothing is written when the bundle is refused. "
        + VISIBLE_IMPORTS,
        tags=["imports"],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(ImportRunSerializer, description="Imported within the request: SUCCEEDED."),
            202: OpenApiResponse(
                ImportRunSerializer,
                description="Running in the background (QUEUED or RUNNING; FAILED when the system failed): "
                "poll GET /api/v1/imports/{id}/ until status is SUCCEEDED, REJECTED or FAILED.",
            ),
            400: OpenApiResponse(
                ImportRejectedSerializer,
                description="The bundle is refused: not a .zip, larger than the upload limit, or bad rows.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        size = uploads.request_size(request)
        if size > settings.FLIGHTPATH_UPLOAD_MAX_BYTES:  # refused from its Content-Length, unread
            return _rejected([uploads.too_large(size).message])
        upload = ImportUploadSerializer(data=request.data)
        if self.upload.exceeded:  # stopped while it was read
            return _rejected([uploads.too_large().message])
        if not upload.is_valid():
            return _rejected([f"{name}: {text}" for name, texts in upload.errors.items() for text in texts])
        bundle = upload.validated_data["bundle"]
        try:
            run = uploads.queue_upload(
                user=request.user, files=[bundle], source=f"api: {bundle.name}", zip_only=True
            )
        except FlightpathError as exc:
            return _rejected([exc.message])
        self.upload.kept = True
        run.refresh_from_db()  # in the in-process mode the job has run, right after the commit
        if run.status == ImportRun.Status.SUCCEEDED:
            return Response(ImportRunSerializer(run).data, status=status.HTTP_201_CREATED)
        if run.status == ImportRun.Status.REJECTED:
            return _rejected(run.errors, run)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    summary="One import, with its progress while it runs", description=VISIBLE_IMPORTS, tags=["imports"]
)
class ImportDetail(ImportsView, generics.RetrieveAPIView):
    serializer_class = ImportRunSerializer
