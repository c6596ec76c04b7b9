"""Turn application errors into 400s naming the field; everything else is DRF's default."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from participants.errors import FlightpathError


def exception_handler(exc, context):
    if isinstance(exc, FlightpathError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
