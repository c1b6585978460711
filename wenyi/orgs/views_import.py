"""Bulk import and export of people as .xlsx: template, upload (a background job with a
progress page), export.

All need "orgs.list_people" (office or coordinator): a login without it gets 403. An
import job's page is shown to its creator only (others 404). The work is done by
`wenyi.orgs.people_import` (in the background, through `wenyi.core.imports`); these
views only move files.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wenyi.core.enums import ImportKind
from wenyi.core.forms import ImportUploadForm
from wenyi.core.permissions import require, visible_or_404
from wenyi.core.sheets import XLSX_CONTENT_TYPE
from wenyi.core.views_imports import job_page, upload_page
from wenyi.orgs.models import Person
from wenyi.orgs.people_import import ROW_LIMIT, build_template, people_to_xlsx
from wenyi.orgs.queries import (
    active_units,
    filter_people,
    people_imports_visible_to,
    units_managed_by,
)


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # personal data
    return response


@login_required
@require_GET
def people_template(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    # the units in use: a retired one takes no one new
    units = active_units(units_managed_by(request.user)).order_by("path").only("code", "name")
    return xlsx_response(build_template(units), _("people-import-template.xlsx"))


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    return upload_page(
        request,
        ImportUploadForm,
        ImportKind.PEOPLE,
        "orgs/people_import.html",
        job_view="orgs:people_import_detail",
        row_limit=ROW_LIMIT,
    )


@login_required
@require_GET
def people_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "orgs.list_people")
    job = visible_or_404(people_imports_visible_to(request.user), pk=pk)
    return job_page(request, job, "orgs/people_import.html")


def _filtered_people(request: HttpRequest) -> QuerySet[Person]:
    """The people list's filters (q, unit, role), so the export holds what the list shows."""
    # unit by unit in the tree's order, each unit's people by the pinyin of their names
    return filter_people(request.user, request.GET).order_by(
        "unit__path", "name_sort", "name", "id"
    )


@login_required
@require_GET
def people_export(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    data = people_to_xlsx(_filtered_people(request))
    today = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(data, _("people-%(date)s.xlsx") % {"date": today})
