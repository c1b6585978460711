"""Activities and Excel: template, upload (a background job with a progress page),
export of the filtered list, and the 统计表.

Everything needs "activities.list" (office or coordinator; others get 403). An
import job's page is shown to its creator and the campaign office only (others 404).
The work is done by `wenyi.activities.excel`; these views move files.
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from wenyi.activities.enums import ImportStatus
from wenyi.activities.excel import (
    ROW_LIMIT,
    XLSX_CONTENT_TYPE,
    build_template,
    export_activities,
    importable_units,
    imports_visible_to,
    statistics_workbook,
)
from wenyi.activities.excel_import import check_xlsx
from wenyi.activities.filters import filter_activities
from wenyi.activities.import_tasks import run_activity_import
from wenyi.activities.models import ActivityImport
from wenyi.activities.queries import activities_visible_to, quota_matrix
from wenyi.campaigns.models import Campaign
from wenyi.campaigns.queries import campaigns_visible_to, participating_units
from wenyi.core import clock, tokens
from wenyi.core.permissions import require, visible_or_404
from wenyi.orgs.queries import units_managed_by


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    require(request.user, "activities.list")
    return visible_or_404(campaigns_visible_to(request.user), slug=slug)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # names and mobile numbers
    return response


class ActivityImportForm(forms.Form):
    # one token per form: a double click or a resent form finds the job the first made
    # (a form without one, say from an old page, still works, unprotected)
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        error_messages={
            "required": gettext_lazy("Choose the .xlsx file to import."),
            "empty": gettext_lazy("The file is empty."),
        },
    )
    submit = forms.BooleanField(
        label=gettext_lazy("Submit the imported activities for checking right away"),
        required=False,
        help_text=gettext_lazy(
            "Otherwise they are saved as drafts, to be checked and submitted one by one."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.WENYI_UPLOAD_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB; split it into several files.")
                % {"max": settings.WENYI_UPLOAD_MAX_MB}
            )
        check_xlsx(upload)  # by content: a renamed .xls or .docx is refused here
        return upload


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
    if request.method == "POST":
        token = tokens.bind(request, request.POST.get("token"))
        earlier = imports_visible_to(request.user).filter(token=token).first() if token else None
        if earlier is not None:  # the same form sent again
            return redirect("activities:import_detail", pk=earlier.pk)
        form = ActivityImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = ActivityImport(
                campaign=campaign,
                created_by=request.user,
                original_name=upload.name[:255],
                submit=form.cleaned_data["submit"],
                token=token or uuid.uuid4(),
            )
            # a random stored name: the path never shows the uploader's file name
            job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
            try:
                with transaction.atomic():
                    job.save()
            except IntegrityError:  # the same form, sent twice at the same moment
                job.file.delete(save=False)
                earlier = get_object_or_404(imports_visible_to(request.user), token=job.token)
                return redirect("activities:import_detail", pk=earlier.pk)
            # views run in autocommit: the job row is committed before a worker looks
            run_activity_import.enqueue(job.pk)
            return redirect("activities:import_detail", pk=job.pk)
    else:
        form = ActivityImportForm(initial={"token": uuid.uuid4()})
    return render(
        request,
        "activities/import.html",
        {
            "campaign": campaign,
            "form": form,
            "max_mb": settings.WENYI_UPLOAD_MAX_MB,
            "row_limit": ROW_LIMIT,
        },
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = visible_or_404(imports_visible_to(request.user).select_related("campaign"), pk=pk)
    context = {
        "job": job,
        "campaign": job.campaign,
        "polling": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
    }
    if request.htmx:
        return render(request, "activities/_import_status.html", context)
    return render(request, "activities/import.html", context)


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
    units = list(
        participating_units(campaign)
        .filter(pk__in=units_managed_by(request.user).values("pk"))
        .order_by("path")
    )
    today = clock.today()
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
