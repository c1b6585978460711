"""The completeness and timeliness table (报送情况), on screen and as .xlsx.

The office sees every reporting unit with the owner unit on top summing them (and
the participating units between, each summing its own); a coordinator sees their own
reporting units. Other logins get 403; an unknown
campaign 404. Definitions: `wenyi.reporting.completeness`.
"""

import datetime
from html import escape
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenyi.campaigns.models import Campaign
from wenyi.campaigns.participation import participating_units, reporting_units
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import clock
from wenyi.core.permissions import allowed, require
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.people_import import XLSX_CONTENT_TYPE
from wenyi.orgs.queries import managed
from wenyi.reporting.completeness import (
    Cell,
    Table,
    completeness,
    report_months,
    unit_refs,
    workbook,
)


def _month(value: str, months: list[datetime.date]) -> datetime.date | None:
    """ "2014-08" when it is a month with reports; anything else shows all months."""
    try:
        month = datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        return None
    return month if month in months else None


def table_for(user, campaign: Campaign, month_param: str = "") -> Table:
    """The rows a login may see: the participating units it manages that report, or
    that have reporting units below them (a district summing its streets when only
    the streets report), and for the office (or a superuser) the owner unit on top.
    Never a unit that does not take part, nor a retired one (campaigns.participation).
    """
    owner = campaign.owner_unit()
    today = clock.today()
    units = []
    if owner is not None:
        reporting = set(
            reporting_units(campaign, today=today, owner=owner)
            .filter(managed(user))
            .values_list("path", flat=True)
        )
        step = OrgUnit.steplen
        above = {p[:end] for p in reporting for end in range(step, len(p), step)}
        listed = participating_units(campaign, today=today, owner=owner).filter(
            managed(user), depth__gt=owner.depth
        )
        units = [
            u for u in unit_refs(listed.order_by("path")) if u.path in reporting or u.path in above
        ]
        if allowed(user, "orgs.change_unit", owner):
            units.insert(0, owner)
    month = _month(month_param, report_months(campaign))
    return completeness(campaign, units, today, month=month, owner=owner)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _colour(cell: Cell) -> str:
    """Red when reports are missing, yellow when all are in but some came late."""
    if cell.expected > cell.submitted:
        return ' class="table-danger"'
    if cell.submitted > cell.on_time:
        return ' class="table-warning"'
    return ""


def _body(table: Table) -> SafeString:
    """The table's rows, laid out here rather than in template loops: 3,000 units × 8
    columns would spend the whole time budget in the template engine. Every text
    goes through `escape` (the standard library's, which Django's wraps: 9,000 calls
    through Django's lazy wrapper cost 10 ms); the numbers are ints."""
    on_time = escape(_("on time"))
    # gettext calls stay outside f-strings: xgettext does not look inside them
    not_due_title = escape(_("not due yet"))
    not_due = f'<td class="text-body-secondary" title="{not_due_title}">—</td>'
    link_head, link_tail = (
        escape(part) for part in reverse("orgs:unit", args=["CODE"]).split("CODE")
    )

    def cells(row) -> str:
        return "".join(
            f"<td{_colour(c)}>"
            f"{c.submitted}/{c.expected}<br><small>{on_time} {c.on_time}</small></td>"
            if c.expected
            else not_due
            for c in row.cells
        )

    def totals(c: Cell) -> str:
        return (
            f'<td class="text-end">{c.expected}</td><td class="text-end">{c.submitted}</td>'
            f'<td class="text-end">{c.on_time}</td>'
            f'<td class="text-end{" text-danger" if c.missing else ""}">{c.missing}</td>'
            f'<td class="text-end{" text-warning-emphasis" if c.late else ""}">{c.late}</td>'
            f'<td class="text-end fw-semibold">{_percent(c.rate)}</td>'
            f'<td class="text-end fw-semibold">{_percent(c.on_time_rate)}</td>'
        )

    lines = []
    for row in table.rows:
        code = escape(row.unit.code)
        weight = "fw-semibold" if row.rolls_up else "fw-normal"
        indent = f" wy-tree-indent-{min(row.level, 4)}" if row.level else ""
        lines.append(
            f'<tr data-unit="{code}"><th scope="row" class="text-start {weight}{indent}">'
            f'<a href="{link_head}{escape(quote(row.unit.code))}{link_tail}">'
            f"{escape(row.unit.name)}</a></th>{cells(row)}{totals(row.total)}</tr>"
        )
    if table.side_by_side > 1:
        total = escape(_("Total"))
        lines.append(
            f'<tr class="fw-semibold"><th scope="row" class="text-start">{total}'
            f"</th>{'<td></td>' * len(table.columns)}{totals(table.total)}</tr>"
        )
    # every text above is escaped; everything else is markup written here or an int
    return mark_safe("".join(lines))


@login_required
@require_GET
def completeness_table(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "activities.list")
    table = table_for(request.user, campaign, request.GET.get("month", ""))
    return render(
        request,
        "reporting/completeness.html",
        {
            "campaign": campaign,
            "table": table,
            "body": _body(table),
            "month_param": f"{table.month:%Y-%m}" if table.month else "",
        },
    )


@login_required
@require_GET
def completeness_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "activities.list")
    table = table_for(request.user, campaign, request.GET.get("month", ""))
    response = HttpResponse(workbook(table), content_type=XLSX_CONTENT_TYPE)
    filename = _("completeness-%(campaign)s-%(date)s.xlsx") % {
        "campaign": slug,
        "date": table.today.strftime("%Y%m%d"),
    }
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path(
        "campaigns/<slug:slug>/reports/completeness/",
        completeness_table,
        name="completeness",
    ),
    path(
        "campaigns/<slug:slug>/reports/completeness.xlsx",
        completeness_xlsx,
        name="completeness_xlsx",
    ),
]
