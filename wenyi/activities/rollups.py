"""What the dashboards read about activities: counts per type and month, and metric
totals, for the subtrees of some units — from the maintained roll-ups, never from the
activities themselves.

`Tally` (per unit and type) and `MonthTally` (per unit, type and start month) hold the
verified activities of one unit each, kept by `services._move_tally` in the transaction
that verifies or unlocks an activity, and rebuilt by `wenyi rebuild-tallies`. Each
function here is one query, whatever the number of units: the subtrees are one
`path LIKE 'prefix%'` condition per outermost unit (`orgs.queries.under_units`, as the
quota matrix reads `Tally`), and none at all when they cover the campaign's owner. The
database sums the counts; the metric totals are JSON, added here from the rows read
or, given the metric keys, by the database (`totals_by_type`). A province's dashboard
(200 units, 4 types, 6 months) reads a few thousand rows where the activities are a
hundred thousand.

Only verified activities count, as in the quota matrix. A month is the first day of the
month in which an activity started (`models.month_of`).
"""

import datetime
import decimal
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import DecimalField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Substr

from wenyi.activities.models import MonthTally, Tally, month_of
from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import under_units


def _subtrees(campaign: Campaign, units: Iterable[OrgUnit]) -> Q:
    """Rows of a unit at or below any of `units`: one prefix per outermost unit, none
    when they cover the campaign's owner (its rows are the campaign's anyway)."""
    return under_units(units, "unit__", whole=campaign.owner_unit())


def per_month(campaign: Campaign, units: list[OrgUnit]) -> dict[tuple[int, datetime.date], int]:
    """Verified activities per (activity type id, first day of the month) in the
    subtrees of `units`, each activity once however the units nest; months without
    any are absent. One query."""
    if not units:
        return {}
    rows = (
        MonthTally.objects.filter(_subtrees(campaign, units), campaign=campaign, verified__gt=0)
        .values_list("type_id", "month")
        .annotate(count=Sum("verified"))
        .order_by()
    )
    return {(type_id, month): count for type_id, month, count in rows}


def per_month_by_unit(
    campaign: Campaign, units: list[OrgUnit]
) -> dict[tuple[int, int, datetime.date], int]:
    """Verified activities per (unit id among `units`, type id, month), each unit
    counting its whole subtree (an enterprise's activity counts for its county, and for
    the city if the city is listed too); zero cells are absent. One query.

    The database groups the rows by the unit's path cut at the depth of the deepest
    listed unit, so a city's dashboard listing its counties gets one row per county,
    type and month however many enterprises lie below; the cut paths are credited to
    every listed unit at or above them here, as `queries.quota_matrix` does.
    """
    if not units:
        return {}
    listed = {unit.path: unit.pk for unit in units}
    width = max(len(path) for path in listed)
    rows = (
        MonthTally.objects.filter(_subtrees(campaign, units), campaign=campaign, verified__gt=0)
        .annotate(head=Substr("unit__path", 1, width))
        .values_list("head", "type_id", "month")
        .annotate(count=Sum("verified"))
        .order_by()
    )
    step = OrgUnit.steplen
    counts: dict[tuple[int, int, datetime.date], int] = defaultdict(int)
    for head, type_id, month, count in rows:
        for end in range(step, len(head) + 1, step):
            unit_id = listed.get(head[:end])
            if unit_id is not None:
                counts[unit_id, type_id, month] += count
    return dict(counts)


def _tally_rows(
    campaign: Campaign,
    units: list[OrgUnit],
    type_ids: Iterable[int] | None,
    months: tuple[datetime.date, datetime.date] | None,
):
    """The roll-up rows with a count under `units`: `Tally`, or with `months` (first and
    last day, inclusive) the `MonthTally` rows of the months they touch."""
    if months is None:
        rows = Tally.objects.all()
    else:
        first, last = months
        rows = MonthTally.objects.filter(month__gte=month_of(first), month__lte=month_of(last))
    rows = rows.filter(_subtrees(campaign, units), campaign=campaign, verified__gt=0)
    if type_ids is not None:
        rows = rows.filter(type_id__in=list(type_ids))
    return rows


def totals(
    campaign: Campaign,
    units: list[OrgUnit],
    *,
    type_ids: Iterable[int] | None = None,
    months: tuple[datetime.date, datetime.date] | None = None,
) -> dict[str, decimal.Decimal]:
    """Metric totals of the verified activities in the subtrees of `units`, by metric
    key (`trainees`, `shows`, `audience` …: the numeric metrics of the campaign's
    activity types). A key two types share adds both: `audience` is the audience of the
    shows and of the exhibitions together (`totals_by_type` keeps them apart). A metric
    with nothing counted is absent: read with `.get(key, 0)`. One query.

    Reads `Tally`; with `months` (first and last day, inclusive: a stage, or one month)
    the `MonthTally` rows of the months they touch; `type_ids` keeps those types only.
    """
    by_type = totals_by_type(campaign, units, type_ids=type_ids, months=months)
    sums: dict[str, decimal.Decimal] = defaultdict(decimal.Decimal)
    for (_type_id, key), total in by_type.items():
        sums[key] += total
    return dict(sums)


def totals_by_type(
    campaign: Campaign,
    units: list[OrgUnit],
    *,
    type_ids: Iterable[int] | None = None,
    months: tuple[datetime.date, datetime.date] | None = None,
    keys: Iterable[str] | None = None,
) -> dict[tuple[int, str], decimal.Decimal]:
    """Metric totals per (type id, metric key), as `totals` reads them (one query):
    the cells of a table with a column per type and metric.

    With `keys` (the metric keys wanted: the dashboard knows them from the types) the
    database adds them up, one row per type — `KT("totals__<key>")` is SQLite's
    `json_extract` and PostgreSQL's `->>`, cast to a decimal — instead of every tally's
    JSON being read and added here (a nation has ten thousand of them)."""
    if not units:
        return {}
    rows = _tally_rows(campaign, units, type_ids, months)
    sums: dict[tuple[int, str], decimal.Decimal] = defaultdict(decimal.Decimal)
    if keys is not None:
        keys = sorted(set(keys))
        if not keys:
            return {}
        number = DecimalField(max_digits=30, decimal_places=6)
        columns = {f"k{n}": Sum(Cast(KT(f"totals__{key}"), number)) for n, key in enumerate(keys)}
        for type_id, *totals in (
            rows.values("type_id").annotate(**columns).values_list("type_id", *columns).order_by()
        ):
            for key, total in zip(keys, totals, strict=True):
                if total:
                    sums[type_id, key] = decimal.Decimal(str(total))
        return dict(sums)
    for type_id, row_totals in rows.values_list("type_id", "totals"):
        for key, value in row_totals.items():
            sums[type_id, key] += decimal.Decimal(value)
    return {cell: total for cell, total in sums.items() if total}
