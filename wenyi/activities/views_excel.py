"""Activities and Excel: template, upload (a background job with a progress page),
export of the filtered list, and the 统计表.

Everything needs "activities.list" (office or coordinator; others get 403). An
import job's page is shown to its creator and the campaign office only (others 404).
The work is done by `wenyi.activities.excel` and, in the background,
`wenyi.activities.excel_import` (through `wenyi.core.imports`); these views move files.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from wenyi.activities.excel import (
    ROW_LIMIT,
    XLSX_CONTENT_TYPE,
    build_template,
    export_activities,
    importable_units,
    imports_visible_to,
    statistics_workbook,
)
from wenyi.activities.filters import filter_activities
from wenyi.activities.queries import activities_visible_to, quota_matrix
from wenyi.campaigns.models import Campaign
from wenyi.campaigns.participation import participating_units
from wenyi.campaigns.queries import campaigns_visible_to
from wenyi.core import clock
from wenyi.core.enums import ImportKind
from wenyi.core.forms import ImportUploadForm
from wenyi.core.permissions import require, visible_or_404
from wenyi.core.views_imports import job_page, upload_page
from wenyi.orgs.queries import units_managed_by


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    require(request.user, "activities.list")
    return visible_or_404(campaigns_visible_to(request.user), slug=slug)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # names and mobile numbers
    return response


class ActivityImportForm(ImportUploadForm):
    submit = forms.BooleanField(
        label=gettext_lazy("Submit the imported activities for checking right away"),
        required=False,
        help_text=gettext_lazy(
            "Otherwise they are saved as drafts, to be checked and submitted one by one."
        ),
    )


@login_required
@require_GET
def template(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    units = importable_units(request.user, campaign).order_by("path").only("code", "name")
    return _xlsx_response(
        build_template(campaign, units),
        _("activities-template-%(campaign)s.xlsx") % {"campaign": slug},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    return upload_page(
        request,
        ActivityImportForm,
        ImportKind.ACTIVITIES,
        "activities/import.html",
        job_view="activities:import_detail",
        options=lambda data: {"campaign": campaign.pk, "submit": data["submit"]},
        campaign=campaign,
        row_limit=ROW_LIMIT,
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = visible_or_404(imports_visible_to(request.user), pk=pk)
    campaign = visible_or_404(Campaign.objects.all(), pk=job.options.get("campaign"))
    return job_page(request, job, "activities/import.html", campaign=campaign)


@login_required
@require_GET
def export(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    activities = filter_activities(
        activities_visible_to(request.user).filter(campaign=campaign), request.GET
    )
    today = clock.today().strftime("%Y%m%d")
    return _xlsx_response(
        export_activities(activities, campaign=campaign),
        _("activities-%(campaign)s-%(date)s.xlsx") % {"campaign": slug, "date": today},
    )


@login_required
@require_GET
def statistics(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    today = clock.today()
    units = list(
        participating_units(campaign, today=today)
        .filter(pk__in=units_managed_by(request.user).values("pk"))
        .order_by("path")
    )
    rows = quota_matrix(campaign, units, today)
    return _xlsx_response(
        statistics_workbook(campaign, rows, today),
        _("statistics-%(campaign)s-%(date)s.xlsx")
        % {"campaign": slug, "date": today.strftime("%Y%m%d")},
    )


urlpatterns = [
    path("campaigns/<slug:slug>/activities/template.xlsx", template, name="template"),
    path("campaigns/<slug:slug>/activities/import/", import_upload, name="import"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("campaigns/<slug:slug>/activities/export.xlsx", export, name="export"),
    path("campaigns/<slug:slug>/statistics.xlsx", statistics, name="statistics"),
]
