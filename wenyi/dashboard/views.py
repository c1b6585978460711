"""The dashboard page and its .xlsx export (what they show: `panels`).

The office and the coordinators see it (`dashboard.view`), each for their own units;
everyone else gets 404, and so does a unit outside the login's subtree in the filter.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import clock, dbstate
from wenyi.core.permissions import allowed
from wenyi.dashboard import export as xlsx_export
from wenyi.dashboard import panels
from wenyi.orgs.people_import import XLSX_CONTENT_TYPE
from wenyi.orgs.queries import scope_for


def _campaign(request: HttpRequest, slug: str):
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "dashboard.view"):
        raise Http404
    return campaign


def _board(request: HttpRequest, slug: str) -> panels.Dashboard:
    return panels.build(request.user, _campaign(request, slug), request.GET)


@login_required
@require_GET
def office(request: HttpRequest, slug: str) -> HttpResponse:
    # without `make`'s npm step the page still shows every number, as tables
    charts = (settings.ECHARTS_DIR / "echarts.min.js").is_file()
    campaign = _campaign(request, slug)  # on every look: a role taken away closes it at once
    params = request.GET.copy()
    fresh = params.pop("fresh", None) is not None  # "Count again now"
    lag = settings.WENYI_DASHBOARD_LAG_SECONDS

    def body() -> str:
        board = panels.build(request.user, campaign, params)
        context = {
            "campaign": campaign,
            "board": board,
            "query": urlencode(board.filters.params()),
            "charts": charts,
            "counted_at": clock.now(),
            "lag": lag,
        }
        return render_to_string("dashboard/_board.html", context)

    # the same question of the same login with the same roles (a subtree narrowed is a
    # new question): the same body while nothing has been committed since, or while
    # people keep saving, for `lag` seconds (it says when it was counted, with a link to
    # count again)
    scope = scope_for(request.user)
    roles = (scope.superuser, scope.office_paths, scope.coordinator_paths)
    question = ("dashboard", request.user.pk, roles, slug, sorted(params.lists()))
    context = (translation.get_language(), clock.today(), charts, lag)
    board_html = mark_safe(dbstate.lately(question + context, body, lag, fresh=fresh))
    return render(request, "dashboard/office.html", {"charts": charts, "board_html": board_html})


@login_required
@require_GET
def export(request: HttpRequest, slug: str) -> HttpResponse:
    board = _board(request, slug)
    response = HttpResponse(xlsx_export.workbook(board), content_type=XLSX_CONTENT_TYPE)
    filename = _("dashboard-%(campaign)s-%(date)s.xlsx") % {
        "campaign": slug,
        "date": board.today.strftime("%Y%m%d"),
    }
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
