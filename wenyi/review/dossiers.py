"""Dossiers of units and people for the experts' unit and person rounds (评审材料, R10).

A dossier is what the experts read about one organising unit (优秀组织单位) or one person
(优秀个人, 优秀文艺工作者) of a campaign, assembled from the data the campaign produced;
nobody types it. `unit_dossiers` and `person_dossiers` build many at once in a constant
number of queries, as plain dataclasses (numbers, strings, dates: no model instances)
that a template shows and an export writes as they are. docs/review-dossiers.md says
where every figure comes from.

Nothing here knows the 2014 file: the activity types, their minimums, their numeric
metrics (培训辅导人次, 演出场次, 受众人数 …) with names and units of measure, and the art
forms are all read from the campaign.

A unit round may start from a declared formula over a unit's indicators (`INDICATORS`
and the campaign's own, `available_indicators`): see `wenyi.review.formula`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.models import Activity
from wenyi.activities.queries import Cell, metric_columns, quota_matrix
from wenyi.campaigns.models import ActivityType, Campaign, LeadingGroup, LeadingGroupMember
from wenyi.core import clock
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import outermost_paths, under_paths
from wenyi.reporting.completeness import completeness
from wenyi.reporting.enums import ReportKind, ReportStatus
from wenyi.reporting.models import Report
from wenyi.reporting.summary import length_check
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Match, Work, WorkAuthor
from wenyi.works.queries import eligible

__all__ = [
    "INDICATORS",
    "UnitDossier",
    "PersonDossier",
    "available_indicators",
    "person_dossiers",
    "unit_dossiers",
]

# The indicators every campaign has, whatever its file says. A campaign adds its own
# (`available_indicators`): each activity type's verified count under the type's key,
# each numeric metric under "<type key>.<metric key>", and each metric key on its own
# for the sum over the types that declare it ("audience": 受众人数 + 观众人数 in 2014).
INDICATORS = {
    "quota_completion": gettext_lazy("Quota completion"),
    "activities": gettext_lazy("Verified activities"),
    "report_completeness": gettext_lazy("Share of monthly reports sent"),
    "report_timeliness": gettext_lazy("Share of monthly reports on time"),
    "works": gettext_lazy("Eligible works"),
}


# --- what a dossier holds --------------------------------------------------------------


@dataclass
class QuotaLine:
    """One activity type of a unit, as the quota page shows it."""

    type_key: str
    type_name: str
    verified: int  # verified activities of the unit and the units below it
    minimum: int  # the file's yearly minimum
    status: str  # QuotaStatus value; "" when the minimum applies neither to it nor below it
    status_label: str
    percent: int  # the quota page's progress bar
    # verified / minimum, at most 1 (for a unit judged by the units below it: the
    # share of them that met it); None when no minimum applies
    completion: Decimal | None


@dataclass
class MetricTotal:
    """The total of one numeric metric of one activity type, as the file names it."""

    type_key: str
    type_name: str
    metric_key: str
    metric_name: str
    unit: str  # unit of measure (人次, 场 …), may be ""
    total: Decimal

    @property
    def key(self) -> str:
        return f"{self.type_key}.{self.metric_key}"


@dataclass
class ArtFormCount:
    key: str
    name: str  # with its group when it has one: "文学 · 诗词（诗歌）"
    count: int


@dataclass
class ReportFigures:
    """Monthly reports (work plans and progress reports) due so far, from
    reporting.completeness: the unit's row over the month columns."""

    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def completeness(self) -> Decimal | None:
        return Decimal(self.submitted) / self.expected if self.expected else None

    @property
    def timeliness(self) -> Decimal | None:
        return Decimal(self.on_time) / self.expected if self.expected else None


@dataclass
class SummaryFigures:
    """The unit's own summary report (总结材料): None/"" everywhere when it has none."""

    report_id: int | None = None
    url: str = ""
    status: str = ""  # ReportStatus value
    status_label: str = ""
    submitted: bool = False  # sent in at least once
    on_time: bool | None = None  # its first submission came by the due date
    due: datetime.date | None = None
    chars: int = 0  # reporting.summary.count_chars
    target: int = 0  # the file's target length (0: none)
    length_status: str = ""  # "short", "ok" or "long" (reporting.summary.length_check)


@dataclass
class GroupFigures:
    """The leading group (领导小组) the unit registered for the campaign, if any."""

    registered: bool = False
    name: str = ""
    members: int = 0
    leaders: list[str] = field(default_factory=list)  # 组长, in the group's order


@dataclass
class UnitDossier:
    unit_id: int
    code: str
    name: str
    as_of: datetime.date
    quota: list[QuotaLine]
    metrics: list[MetricTotal]
    works: list[ArtFormCount]  # eligible works of the unit's subtree, per art form
    works_total: int
    monthly_reports: ReportFigures
    summary: SummaryFigures
    leading_group: GroupFigures
    # {key: value} of every indicator of the campaign (None: does not apply), and
    # {key: label}; the same labels dict for every dossier of one call
    indicators: dict[str, Decimal | None]
    indicator_labels: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class ActivityLine:
    activity_id: int
    title: str
    date: datetime.date
    type_key: str
    type_name: str
    unit_name: str


@dataclass
class TypeCount:
    type_key: str
    type_name: str
    count: int


@dataclass
class WorkLine:
    work_id: int
    title: str
    art_form: str
    status: str  # WorkStatus value
    status_label: str
    eligible: bool  # submitted and not disqualified (works.queries.eligible)


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


@dataclass
class PersonDossier:
    person_id: int
    name: str
    unit_id: int
    unit_name: str
    art_forms: list[str]
    titles: str
    activities: list[ActivityLine]  # verified activities they took part in, by date
    activities_by_type: list[TypeCount]  # every type of the campaign, 0 included
    # per type, every numeric metric summed over those activities: in 2014 the
    # trainees they coached are 培训辅导 · 培训辅导人次
    metrics: list[MetricTotal]
    works: list[WorkLine]  # every work of the campaign they are an author of
    works_by_art_form: list[ArtFormCount]  # their eligible works
    works_by_status: list[StatusCount]  # all their works

    @property
    def eligible_works(self) -> int:
        return sum(line.count for line in self.works_by_art_form)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- indicators ----------------------------------------------------------------------------


def _type_label(type_: ActivityType) -> str:
    return _("%(type)s: verified activities") % {"type": type_.name}


def _metric_label(type_name: str, metric) -> str:
    if metric.unit:
        return _("%(type)s: %(metric)s (%(unit)s)") % {
            "type": type_name,
            "metric": metric.name,
            "unit": metric.unit,
        }
    return _("%(type)s: %(metric)s") % {"type": type_name, "metric": metric.name}


def _indicator_catalogue(types: list[ActivityType]) -> dict[str, tuple[str, list]]:
    """{key: (label, parts)} of every indicator, in the order a page lists them. Parts:
    [] for a fixed indicator, else the (type id, metric key) pairs whose figures add
    up to it, a metric key None standing for the type's verified count."""
    found: dict[str, tuple[str, list]] = {k: (str(v), []) for k, v in INDICATORS.items()}
    for type_ in types:
        if type_.key not in found:
            found[type_.key] = (_type_label(type_), [(type_.pk, None)])
    by_key: dict[str, list] = {}
    for type_, metric in metric_columns(types):
        found[f"{type_.key}.{metric.key}"] = (
            _metric_label(type_.name, metric),
            [(type_.pk, metric.key)],
        )
        by_key.setdefault(metric.key, []).append((type_, metric))
    for key, pairs in by_key.items():
        if key in found:
            continue  # a fixed indicator or a type's count wins; "<type>.<key>" remains
        if len(pairs) == 1:
            label = _metric_label(pairs[0][0].name, pairs[0][1])
        else:
            label = _("%(metrics)s, all activity types") % {
                "metrics": " + ".join(m.name for _t, m in pairs)
            }
        found[key] = (label, [(t.pk, m.key) for t, m in pairs])
    return found


def available_indicators(campaign: Campaign) -> dict[str, str]:
    """{key: label} of the indicators a formula of this campaign may use: `INDICATORS`,
    then the campaign's (see `_indicator_catalogue`). Two queries."""
    types = list(campaign.activity_types.prefetch_related("metrics"))
    return {key: label for key, (label, _parts) in _indicator_catalogue(types).items()}


def _completion(cell: Cell) -> Decimal | None:
    if not cell.judged:
        return None
    if cell.units is not None:
        return Decimal(cell.units.met) / cell.units.units if cell.units.units else None
    minimum = cell.type.min_per_year
    if not minimum:
        return None
    return Decimal(min(cell.count, minimum)) / minimum


def _tidy(total: Decimal) -> Decimal:
    """A total as it reads: 600, not 600.00 (values are stored with two decimals)."""
    return total.quantize(Decimal(1)) if total == total.to_integral_value() else total.normalize()


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


# --- unit dossiers -----------------------------------------------------------------------


def _credit(paths_counts, listed: set[str], step: int):
    """Yield (listed path, row) for every listed unit at or above each row's unit path:
    the roll-up up the tree that quota_matrix and completeness do too."""
    for path, *row in paths_counts:
        for end in range(step, len(path) + 1, step):
            if path[:end] in listed:
                yield path[:end], row


def _art_form_names(campaign: Campaign) -> tuple[list, dict[int, tuple[str, str]]]:
    categories = list(campaign.work_categories.all())
    names = {c.pk: c.name for c in categories}
    shown = {
        c.pk: (c.key, f"{names[c.parent_id]} · {c.name}" if c.parent_id else c.name)
        for c in categories
    }
    return categories, shown


def unit_dossiers(
    campaign: Campaign, units: Iterable[OrgUnit], today: datetime.date | None = None
) -> dict[int, UnitDossier]:
    """{unit id: UnitDossier} for `units` in `campaign`, as of `today` (default: today).

    Each unit counts its whole subtree, as the quota page and the reporting table do:
    a county's dossier includes the activities, reports and works of the units below
    it. Costs the same few queries for 2 units or 2,000 (the quota matrix, the
    reporting table, one aggregate each for works, summaries and leading groups).
    """
    today = today or clock.today()
    units = list({u.pk: u for u in units}.values())
    if not units:
        return {}
    # the quota matrix and the reporting table both read the stages: once is enough
    prefetch_related_objects([campaign], "stages")
    rows = quota_matrix(campaign, units, today)
    types = [cell.type for cell in rows[0].cells]
    catalogue = _indicator_catalogue(types)
    labels = {key: label for key, (label, _parts) in catalogue.items()}
    numeric = metric_columns(types)

    table = completeness(campaign, units, today)
    monthly = [n for n, column in enumerate(table.columns) if column.kind is None]

    listed = {u.path for u in units}
    outermost = outermost_paths(listed)
    categories, art_forms = _art_form_names(campaign)
    works: dict[str, dict[int, int]] = {path: {} for path in listed}
    counted = (
        eligible(Work.objects.filter(under_paths(outermost, "unit__"), campaign=campaign))
        .values_list("unit__path", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, (category_id, n) in _credit(counted, listed, OrgUnit.steplen):
        works[path][category_id] = works[path].get(category_id, 0) + n

    ids = [u.pk for u in units]
    summaries = {
        r.unit_id: r
        for r in Report.objects.filter(
            campaign=campaign, kind=ReportKind.SUMMARY, unit_id__in=ids
        ).only("id", "unit_id", "status", "text", "due", "first_submitted_at", "on_time")
    }
    groups = {
        unit_id: GroupFigures(registered=True, name=name)
        for unit_id, name in LeadingGroup.objects.filter(
            campaign=campaign, unit_id__in=ids
        ).values_list("unit_id", "name")
    }
    members = LeadingGroupMember.objects.filter(
        group__campaign=campaign, group__unit_id__in=ids
    ).values_list("group__unit_id", "role", "name")
    for unit_id, role, name in members.order_by("order", "id"):
        groups[unit_id].members += 1
        if role == "leader":
            groups[unit_id].leaders.append(name)

    result = {}
    for unit, row, report_row in zip(units, rows, table.rows, strict=True):
        cells = {cell.type.pk: cell for cell in row.cells}
        quota = [
            QuotaLine(
                type_key=cell.type.key,
                type_name=cell.type.name,
                verified=cell.count,
                minimum=cell.type.min_per_year,
                status=str(cell.status),
                status_label=str(cell.status_label),
                percent=cell.percent,
                completion=_completion(cell),
            )
            for cell in row.cells
        ]
        metrics = [
            MetricTotal(
                type_.key,
                type_.name,
                metric.key,
                metric.name,
                metric.unit,
                _tidy(cells[type_.pk].totals.get(metric.key, Decimal(0))),
            )
            for type_, metric in numeric
        ]
        reports = ReportFigures()
        for n in monthly:
            cell = report_row.cells[n]
            reports.expected += cell.expected
            reports.submitted += cell.submitted
            reports.on_time += cell.on_time
        by_form = works[unit.path]
        forms = [
            ArtFormCount(*art_forms[c.pk], by_form[c.pk]) for c in categories if c.pk in by_form
        ]
        dossier = UnitDossier(
            unit_id=unit.pk,
            code=unit.code,
            name=unit.name,
            as_of=today,
            quota=quota,
            metrics=metrics,
            works=forms,
            works_total=sum(by_form.values()),
            monthly_reports=reports,
            summary=_summary(campaign, summaries.get(unit.pk)),
            leading_group=groups.get(unit.pk, GroupFigures()),
            indicators={},
            indicator_labels=labels,
        )
        dossier.indicators = _unit_indicators(dossier, cells, catalogue)
        result[unit.pk] = dossier
    return result


def _summary(campaign: Campaign, report: Report | None) -> SummaryFigures:
    if report is None:
        return SummaryFigures(status_label=_("No summary yet"))
    check = length_check(campaign, report.text)
    return SummaryFigures(
        report_id=report.pk,
        url=reverse("reporting:detail", args=[report.pk]),
        status=str(report.status),
        status_label=str(ReportStatus(report.status).label),
        submitted=report.first_submitted_at is not None,
        on_time=report.on_time,
        due=report.due,
        chars=check.count,
        target=check.target,
        length_status=check.status,
    )


def _unit_indicators(
    dossier: UnitDossier, cells: dict[int, Cell], catalogue: dict[str, tuple[str, list]]
) -> dict[str, Decimal | None]:
    fixed = {
        "quota_completion": _mean(
            [q.completion for q in dossier.quota if q.completion is not None]
        ),
        "activities": Decimal(sum(q.verified for q in dossier.quota)),
        "report_completeness": dossier.monthly_reports.completeness,
        "report_timeliness": dossier.monthly_reports.timeliness,
        "works": Decimal(dossier.works_total),
    }
    values: dict[str, Decimal | None] = {}
    for key, (_label, parts) in catalogue.items():
        if not parts:
            values[key] = fixed[key]
            continue
        values[key] = sum(
            (Decimal(cells[t].count if m is None else cells[t].totals.get(m, 0)) for t, m in parts),
            Decimal(0),
        )
    return values


# --- person dossiers -----------------------------------------------------------------------


def person_dossiers(campaign: Campaign, people: Iterable[Person | int]) -> dict[int, PersonDossier]:
    """{person id: PersonDossier} for `people` (Persons or ids) in `campaign`.

    Activities count when verified and the person is among their participants; works
    when the person is among their authors. The campaign file has no way to mark one
    metric as "trainees coached", so every numeric metric of the activities a person
    took part in is summed per type (培训辅导 · 培训辅导人次 is the trainees figure in
    2014): each activity's whole figure is credited to each of its participants.
    Seven queries, however many people.
    """
    ids = list(dict.fromkeys(getattr(p, "pk", p) for p in people))
    if not ids:
        return {}
    found = Person.objects.filter(pk__in=ids).select_related("unit")
    types = list(campaign.activity_types.prefetch_related("metrics"))
    type_of = {t.pk: t for t in types}
    numeric = metric_columns(types)
    metric_ids = {m.pk: (t.pk, m.key) for t, m in numeric}
    categories, art_forms = _art_form_names(campaign)

    joined = Activity.participants.through.objects.filter(
        person_id__in=ids, activity__campaign=campaign, activity__status=ActivityStatus.VERIFIED
    )
    activities: dict[int, list[ActivityLine]] = {pk: [] for pk in ids}
    for person_id, activity_id, title, date, type_id, unit_name in joined.values_list(
        "person_id",
        "activity_id",
        "activity__title",
        "activity__start_date",
        "activity__type_id",
        "activity__unit__name",
    ).order_by("activity__start_date", "activity_id"):
        type_ = type_of[type_id]
        activities[person_id].append(
            ActivityLine(activity_id, title, date, type_.key, type_.name, unit_name)
        )
    sums: dict[int, dict[tuple[int, str], Decimal]] = {pk: {} for pk in ids}
    totals = (
        joined.values_list("person_id", "activity__values__metric_id")
        .annotate(total=Sum("activity__values__number"))
        .order_by()
    )
    for person_id, metric_id, total in totals:
        if metric_id in metric_ids and total is not None:
            sums[person_id][metric_ids[metric_id]] = Decimal(total)

    disqualified = Exists(
        Match.objects.filter(work=OuterRef("work_id"), status=MatchStatus.DISQUALIFIED)
    )
    works: dict[int, list[WorkLine]] = {pk: [] for pk in ids}
    authored = (
        WorkAuthor.objects.filter(person_id__in=ids, work__campaign=campaign)
        .annotate(disqualified=disqualified)
        .values_list(
            "person_id",
            "work_id",
            "work__title",
            "work__category_id",
            "work__status",
            "disqualified",
        )
        .order_by("work__title_sort", "work__title", "work_id")
    )
    for person_id, work_id, title, category_id, status, barred in authored:
        works[person_id].append(
            WorkLine(
                work_id=work_id,
                title=title,
                art_form=art_forms[category_id][1],
                status=status,
                status_label=str(WorkStatus(status).label),
                eligible=status == WorkStatus.SUBMITTED and not barred,
            )
        )

    result = {}
    for person in found:
        mine = activities[person.pk]
        per_type = {t.key: 0 for t in types}
        for line in mine:
            per_type[line.type_key] += 1
        lines = works[person.pk]
        by_form: dict[str, int] = {}
        for line in lines:
            if line.eligible:
                by_form[line.art_form] = by_form.get(line.art_form, 0) + 1
        by_status = {s: 0 for s in WorkStatus.values}
        for line in lines:
            by_status[line.status] += 1
        result[person.pk] = PersonDossier(
            person_id=person.pk,
            name=person.name,
            unit_id=person.unit_id,
            unit_name=person.unit.name,
            art_forms=list(person.art_forms),
            titles=person.titles,
            activities=mine,
            activities_by_type=[TypeCount(t.key, t.name, per_type[t.key]) for t in types],
            metrics=[
                MetricTotal(
                    t.key,
                    t.name,
                    m.key,
                    m.name,
                    m.unit,
                    _tidy(sums[person.pk].get((t.pk, m.key), Decimal(0))),
                )
                for t, m in numeric
            ],
            works=lines,
            works_by_art_form=[
                ArtFormCount(key, name, by_form[name])
                for key, name in (art_forms[c.pk] for c in categories)
                if name in by_form
            ],
            works_by_status=[
                StatusCount(s.value, str(s.label), by_status[s.value]) for s in WorkStatus
            ],
        )
    return {pk: result[pk] for pk in ids if pk in result}
