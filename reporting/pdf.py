"""Documents rendered to PDF from templates with WeasyPrint (DOMAIN.md 14 exports)."""

from __future__ import annotations

from collections.abc import Mapping

from django.template.loader import render_to_string
from weasyprint import HTML


def action_plan(context: Mapping, *, base_url: str) -> bytes:
    """A participant's action plan for their DWP work coach, as PDF bytes. `context` is the plan as the
    workspace reads it (participants.workspace.selectors.action_plan_history) with `referral` and `today`;
    `base_url` resolves any relative link in the template."""
    html = render_to_string("reporting/action_plan_pdf.html", context)
    return HTML(string=html, base_url=base_url).write_pdf()
