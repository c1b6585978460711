"""The activity list's filters, shared by the list page and its .xlsx export.

Both call `filter_activities(queryset, request.GET)` so the export holds exactly what
the list shows. Parameters: type (type key), unit (unit code; the unit and the units
below it), status, date_from, date_to (the start date, inclusive), q (title or place
contains). A value that cannot be read (a bad date, an unknown status) is ignored;
an unknown type or unit matches nothing.
"""

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.models import Activity
from wenyi.orgs.models import OrgUnit

FILTER_PARAMS = ("type", "unit", "status", "date_from", "date_to", "q")


@dataclass(frozen=True)
class ActivityFilters:
    type: str = ""
    unit: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any(asdict(self).values())

    def query_string(self) -> str:
        """The filters as URL parameters (for links such as the export), without '?'."""
        pairs = [
            (k, v.isoformat() if isinstance(v, datetime.date) else v)
            for k, v in asdict(self).items()
            if v
        ]
        return urlencode(pairs)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def parse_filters(params: Mapping[str, Any]) -> ActivityFilters:
    """Read the filters from request.GET (or any mapping of strings)."""

    def get(name: str) -> str:
        value = params.get(name)
        return str(value).strip() if value is not None else ""

    status = get("status")
    return ActivityFilters(
        type=get("type"),
        unit=get("unit"),
        status=status if status in ActivityStatus.values else "",
        date_from=_date(get("date_from")),
        date_to=_date(get("date_to")),
        q=get("q")[:100],
    )


def filter_activities(
    queryset: QuerySet[Activity], params: Mapping[str, Any] | ActivityFilters
) -> QuerySet[Activity]:
    """`queryset` narrowed by the filters; the queryset is already scoped to the user."""
    f = params if isinstance(params, ActivityFilters) else parse_filters(params)
    if f.type:
        queryset = queryset.filter(type__key=f.type)
    if f.unit:
        path = OrgUnit.objects.filter(code=f.unit).values_list("path", flat=True).first()
        queryset = queryset.filter(unit__path__startswith=path) if path else queryset.none()
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.date_from:
        queryset = queryset.filter(start_date__gte=f.date_from)
    if f.date_to:
        queryset = queryset.filter(start_date__lte=f.date_to)
    if f.q:
        queryset = queryset.filter(Q(title__icontains=f.q) | Q(place__icontains=f.q))
    return queryset
