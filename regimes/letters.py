"""The regime's letters as PDF (WeasyPrint, as reporting.pdf does; regimes may not import reporting): the
action plan acceptance and rejection letters, the Contract Assessment Report and the deep dive letter."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML


def render_pdf(template: str, context: Mapping, *, base_url: str) -> bytes:
    return HTML(string=render_to_string(template, context), base_url=base_url).write_pdf()


def pdf_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
