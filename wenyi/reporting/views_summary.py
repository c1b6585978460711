"""The summary report's tools: a drafted statistics paragraph and the .docx download.

Outsiders to the report get 404 (it is fetched through the user's scope), read-only
insiders 403; other kinds of report have neither tool (404).
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wenyi.core.permissions import require, visible_or_404
from wenyi.reporting.enums import ReportKind
from wenyi.reporting.models import Report
from wenyi.reporting.queries import reports_visible_to
from wenyi.reporting.summary import statistics_paragraph, summary_docx

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _summary(request: HttpRequest, pk: int) -> Report:
    report = visible_or_404(
        reports_visible_to(request.user).select_related("campaign", "unit"),
        pk=pk,
        kind=ReportKind.SUMMARY,
    )
    require(request.user, "reporting.view", report)
    return report


@login_required
@require_POST
def summary_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the statistics paragraph. Nothing is saved: the author copies or inserts
    it into the text and saves through the editor."""
    report = _summary(request, pk)
    require(request.user, "reporting.change", report)
    paragraph = statistics_paragraph(report)
    if not request.htmx:
        messages.info(request, paragraph)
        return redirect("reporting:detail", pk=report.pk)
    # the page's summary.js handles the insert button (no inline scripts)
    return HttpResponse(
        format_html(
            '<div class="card card-body bg-body-tertiary mt-2" data-wy-statistics'
            ' data-testid="summary-statistics">'
            '<p class="mb-2" data-wy-statistics-text>{}</p>'
            '<div class="d-flex flex-wrap gap-2 align-items-center">'
            '<button type="button" class="btn btn-sm btn-primary" data-wy-insert-statistics>'
            "{}</button>"
            '<span class="small text-body-secondary">{}</span>'
            "</div></div>",
            paragraph,
            _("Insert into the text"),
            _("Figures from verified activities. Check and edit them, then save the report."),
        )
    )


def _safe_filename_part(value: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", value).strip("_") or "-"


@login_required
@require_GET
def summary_docx_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _summary(request, pk)
    filename = _("summary-%(unit)s-%(year)s.docx") % {
        "unit": _safe_filename_part(report.unit.name),
        "year": report.campaign.year,
    }
    response = HttpResponse(summary_docx(report), content_type=DOCX_CONTENT_TYPE)
    # non-ASCII names go out as RFC 5987 filename*=utf-8''…
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path(
        "reports/<int:pk>/summary/statistics/",
        summary_statistics,
        name="summary_statistics",
    ),
    path("reports/<int:pk>/summary.docx", summary_docx_download, name="summary_docx"),
]
