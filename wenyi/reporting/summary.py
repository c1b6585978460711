"""The summary report (总结材料, R9): length rule, drafted statistics, the .docx.

What counts as a character (`count_chars`, and the same rule in
`wenyi/static/wenyi/summary.js`): every code point whose Unicode general category is a
letter (L*) or a number (N*). So each Chinese character counts one, and so does each
Latin letter and each digit ("2014" is four); spaces, line breaks, punctuation (Chinese
and Western), symbols (emoji, ©, ＋) and combining marks count nothing. The notice
asks for "about 3,000 characters" of writing, and punctuation is not writing; a rule
based on Unicode categories gives the same number in Python and in the browser.
See docs/reporting-summary.md.
"""

import datetime
import decimal
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.metrics import is_numeric
from wenyi.activities.models import Activity, MetricValue
from wenyi.activities.queries import Cell, quota_matrix
from wenyi.campaigns.models import Campaign
from wenyi.core import clock, panels
from wenyi.core import docx as official
from wenyi.reporting.models import Report

# --- length ---------------------------------------------------------------------------


def count_chars(text: str) -> int:
    """Characters that count towards the summary's length.

    A character counts when its Unicode general category is a letter (L*: Chinese
    characters are Lo, Latin letters Lu/Ll) or a number (N*: digits Nd, also ① and 〇).
    Spaces (Zs), line breaks (Cc), punctuation (P*: ，。“”、,.!?), symbols (S*: emoji,
    ©, ＋) and combining marks (M*) do not. The page counts with the same rule
    (`/[\\p{L}\\p{N}]/gu` in summary.js), so the live count equals this one.
    """
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


@dataclass(frozen=True)
class LengthCheck:
    count: int
    target: int  # 0: the campaign sets no target length
    low: int
    high: int
    status: str  # "short", "ok" or "long"


def length_bounds(campaign: Campaign) -> tuple[int, int, int]:
    """(target, low, high): target × (100 ∓ tolerance) / 100, to the nearest whole number.

    Computed as the page's template does it (`{% widthratio %}`: float, halves to
    even), so the bounds the page shows are exactly the ones checked here.
    """
    target = campaign.summary_target_chars
    pct = campaign.summary_tolerance_pct
    return target, round(target / 100 * (100 - pct)), round(target / 100 * (100 + pct))


def length_check(campaign: Campaign, text: str) -> LengthCheck:
    """How the text's length compares with the campaign's target; the bounds count as ok.

    3000 characters with a 20 % tolerance: 2400–3600 is "ok", 2399 "short", 3601 "long".
    A campaign without a target (0) accepts any length.
    """
    count = count_chars(text)
    target, low, high = length_bounds(campaign)
    if not target:
        status = "ok"
    elif count < low:
        status = "short"
    elif count > high:
        status = "long"
    else:
        status = "ok"
    return LengthCheck(count=count, target=target, low=low, high=high, status=status)


def length_question(campaign: Campaign, text: str) -> str:
    """What to ask before a summary whose length is outside the campaign's tolerance is
    submitted, naming the count and the target ("总结 1,850 字，要求约 3,000 字（±20%）；
    仍要提交吗？"); "" when its length is fine. Saving never asks: the length is advice,
    and the author confirms before it goes to the level above."""
    check = length_check(campaign, text)
    if check.status == "ok":
        return ""
    return _(
        "The summary has %(count)s characters; about %(target)s (±%(tolerance)s%%) are "
        "asked for. Submit it anyway?"
    ) % {
        "count": f"{check.count:,}",
        "target": f"{check.target:,}",
        "tolerance": campaign.summary_tolerance_pct,
    }


# --- the drafted statistics paragraph ------------------------------------------------

# More sentences for the statistics paragraph come from apps above reporting, which it may
# not import: each registers a panel "reporting.statistics" (core.panels) that gets
# (report, as of date) and returns a sentence or "" (works: works per art form).
STATISTICS_PANELS = "reporting.statistics"


def statistics_as_of(report: Report) -> datetime.date:
    """The date the statistics are taken at: the report's due date, or today if earlier."""
    return min(report.due, clock.today())


def _number(value: decimal.Decimal | int) -> str:
    value = decimal.Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}"


def _metric_phrase(metric, total: decimal.Decimal) -> str:
    name, unit = metric.name, metric.unit
    # "培训辅导人次" measured in "人次": "培训辅导1200人次", not "培训辅导人次1200人次"
    if unit and name.endswith(unit) and len(name) > len(unit):
        name = name[: -len(unit)]
    if unit:
        return _("%(name)s %(number)s %(unit)s") % {
            "name": name,
            "number": _number(total),
            "unit": unit,
        }
    return _("%(name)s %(number)s") % {"name": name, "number": _number(total)}


def _cells_from_rows(report: Report, as_of: datetime.date) -> list[Cell]:
    """Verified activities of the unit's subtree held on or before `as_of`, per type.

    The tallies behind quota_matrix hold everything verified so far; when the
    statistics are taken at an earlier date (the due date has passed) the figures
    must stop at that date, so they are counted from the activity rows instead.
    """
    types = list(report.campaign.activity_types.prefetch_related("metrics"))
    activities = Activity.objects.filter(
        campaign=report.campaign,
        unit__path__startswith=report.unit.path,
        status=ActivityStatus.VERIFIED,
        start_date__lte=as_of,
    )
    counts = dict(activities.values_list("type_id").annotate(n=Count("id")).order_by())
    totals = (
        MetricValue.objects.filter(activity__in=activities, number__isnull=False)
        .values_list("activity__type_id", "metric__key")
        .annotate(total=Sum("number"))
        .order_by()
    )
    cells = {t.pk: Cell(type=t, count=counts.get(t.pk, 0)) for t in types}
    for type_id, key, total in totals:
        if type_id in cells:
            cells[type_id].totals[key] = decimal.Decimal(total)
    return list(cells.values())


def statistics_cells(report: Report, as_of: datetime.date | None = None) -> list[Cell]:
    """Per activity type of the campaign: verified count and metric totals of the
    report's unit and the units below it, as of `as_of` (default `statistics_as_of`)."""
    as_of = as_of or statistics_as_of(report)
    today = clock.today()
    if as_of >= today:
        # the maintained tallies are exactly "verified up to now"
        rows = quota_matrix(report.campaign, [report.unit], today)
        return rows[0].cells if rows else []
    return _cells_from_rows(report, as_of)


def statistics_paragraph(report: Report) -> str:
    """A paragraph of figures for the author to edit into the summary.

    Built from the unit's verified activities (its whole subtree) as of the report's
    due date or today, whichever is earlier: for every activity type of the campaign,
    in the file's order, the number of activities and the total of each numeric
    metric with its name and unit of measure (trainee person-times, shows, audience,
    works created or shown …). Nothing is specific to one campaign file.

    The file's work-count metrics (2014: 采风创作 "创作作品", 展示展演 "展出作品")
    appear with their types; the works app adds a sentence on the works submitted per
    art form (a panel, see STATISTICS_PANELS). The words are gettext msgids, so an
    English UI gets English; names and units come from the campaign file as written.
    """
    as_of = statistics_as_of(report)
    date = formats.date_format(as_of, "DATE_FORMAT")
    unit = report.unit.name
    cells = statistics_cells(report, as_of)
    total = sum(cell.count for cell in cells)
    if total == 0:
        text = _("As of %(date)s, %(unit)s had no verified activities on record.") % {
            "date": date,
            "unit": unit,
        }
    else:
        clauses = []
        for cell in cells:
            metrics = [
                _metric_phrase(m, cell.totals[m.key])
                for m in cell.type.metrics.all()
                if is_numeric(m) and cell.totals.get(m.key)
            ]
            values = {"type": cell.type.name, "count": cell.count}
            if not cell.count:
                clause = _("%(type)s: none yet")
            elif metrics:
                values["metrics"] = pgettext("list separator", ", ").join(metrics)
                clause = ngettext(
                    "%(type)s: %(count)s activity, %(metrics)s",
                    "%(type)s: %(count)s activities, %(metrics)s",
                    cell.count,
                )
            else:
                clause = ngettext(
                    "%(type)s: %(count)s activity", "%(type)s: %(count)s activities", cell.count
                )
            clauses.append(clause % values)
        text = ngettext(
            "As of %(date)s, %(unit)s had carried out %(total)s activity: %(types)s.",
            "As of %(date)s, %(unit)s had carried out %(total)s activities: %(types)s.",
            total,
        ) % {
            "date": date,
            "unit": unit,
            "total": total,
            "types": pgettext("clause separator", "; ").join(clauses),
        }
    for sentence in panels.render(STATISTICS_PANELS, None, (report, as_of)):
        # Chinese sentences follow each other without a space, English ones with one
        text = _("%(sentence)s %(next)s") % {"sentence": text, "next": sentence}
    return text


# --- the .docx --------------------------------------------------------------------------


def summary_title(report: Report) -> str:
    return _("%(unit)s: summary of the %(campaign)s") % {
        "unit": report.unit.name,
        "campaign": report.campaign.title,
    }


def summary_date(report: Report) -> datetime.date:
    """The date under the text: when it was last submitted, else today."""
    if report.submitted_at:
        return timezone.localdate(report.submitted_at)
    return clock.today()


def summary_docx(report: Report) -> bytes:
    """The summary as an editable .docx laid out after GB/T 9704 (`wenyi.core.docx`).

    A4 with the standard's margins and 22 × 28 grid; the title centred in 2号
    方正小标宋简体, a blank line, the text in 3号 仿宋_GB2312 with headings "一、" in 黑体
    and "（一）" in 楷体_GB2312; a blank line, then the unit's name centred over the
    date, the date four characters in from the right; page numbers "— 1 —". The date
    is written in the user's language (in Chinese the standard's 2014年10月1日).
    """
    title = summary_title(report)
    document = official.new_document(title=title, author=report.unit.name)
    official.title(document, title)
    official.blank_line(document)
    official.body(document, report.text)
    official.blank_line(document)
    date = formats.date_format(summary_date(report), "DATE_FORMAT")
    official.signature(document, report.unit.name, date)
    return official.to_bytes(document)
