"""Bulk import and export of people as .xlsx: template, upload, export.

All three need "orgs.list_people" (office or coordinator): a login without it gets 403.
The work is done by `wenyi.orgs.people_import`; these views only move files.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from wenyi.core.permissions import require
from wenyi.orgs.models import Person
from wenyi.orgs.people_import import (
    ROW_LIMIT,
    XLSX_CONTENT_TYPE,
    build_template,
    import_people,
    people_to_xlsx,
)
from wenyi.orgs.queries import filter_people, units_managed_by


def _max_bytes() -> int:
    return settings.WENYI_UPLOAD_MAX_MB * 1024 * 1024


def _too_large() -> str:
    return _("The file is larger than %(max)s MB; split it into several files.") % {
        "max": settings.WENYI_UPLOAD_MAX_MB
    }


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        error_messages={
            "required": gettext_lazy("Choose the .xlsx file to import."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > _max_bytes():
            raise forms.ValidationError(_too_large())
        # whether it really is an .xlsx is decided by its content, in import_people
        return upload


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # personal data
    return response


@login_required
@require_GET
def people_template(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    units = units_managed_by(request.user).order_by("path").only("code", "name")
    return _xlsx_response(build_template(units), _("people-import-template.xlsx"))


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    row_errors = []
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = import_people(
                form.cleaned_data["file"],
                actor=request.user,
                allowed_units=units_managed_by(request.user),
            )
            if result.ok:
                messages.success(
                    request,
                    _(
                        "Import finished: %(created)s people added, %(updated)s updated, "
                        "%(unchanged)s unchanged; %(logins)s logins opened."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                        "logins": result.logins_created,
                    },
                )
                return redirect("orgs:people")
            for error in result.file_errors:
                form.add_error("file", error.message)
            row_errors = result.row_errors
    else:
        form = PeopleImportForm()
    return render(
        request,
        "orgs/people_import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "max_mb": settings.WENYI_UPLOAD_MAX_MB,
            "row_limit": ROW_LIMIT,
        },
    )


def _filtered_people(request: HttpRequest) -> QuerySet[Person]:
    """The people list's filters (q, unit, role), so the export holds what the list shows."""
    return filter_people(request.user, request.GET).order_by("unit__path", "name", "id")


@login_required
@require_GET
def people_export(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    data = people_to_xlsx(_filtered_people(request))
    today = timezone.localdate().strftime("%Y%m%d")
    return _xlsx_response(data, _("people-%(date)s.xlsx") % {"date": today})
