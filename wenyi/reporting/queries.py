"""Scoped report querysets, and the deadlines near a day with how many reports are in.
Which units owe reports is campaigns.participation's answer."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.campaigns.participation import reporting_units
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import managed, outermost_paths, under_paths
from wenyi.reporting import deadlines
from wenyi.reporting.deadlines import Slot
from wenyi.reporting.enums import MONTHLY, ReportKind
from wenyi.reporting.models import Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports of the units a login manages (their subtree); nobody else's."""
    return Report.objects.filter(managed(user, "unit__"))


@dataclass(frozen=True)
class Deadline:
    """A report due near a day: how many units owe it and how many sent it in."""

    slot: Slot
    days: int  # from the day to the due date (negative: passed)
    units: int
    sent: int

    @property
    def label(self) -> str:
        kind = str(ReportKind(self.slot.kind).label)
        if self.slot.kind in MONTHLY:
            return _("%(month)s %(kind)s") % {"month": f"{self.slot.period:%Y-%m}", "kind": kind}
        return kind

    @property
    def missing(self) -> int:
        return max(self.units - self.sent, 0)

    @property
    def state(self) -> str:
        """ "in" (every unit sent it), "overdue" (passed, some missing) or "open"."""
        if not self.missing:
            return "in"
        return "overdue" if self.days < 0 else "open"

    @property
    def when(self) -> str:
        if self.days == 0:
            return _("due today")
        if self.days > 0:
            return _("in %(n)s days") % {"n": self.days}
        return _("%(n)s days ago") % {"n": -self.days}


def deadlines_near(
    campaign: Campaign,
    units: list[OrgUnit],
    today: datetime.date,
    *,
    back: int = 14,
    ahead: int = 31,
) -> list[Deadline]:
    """The reports due from `back` days before `today` to `ahead` days after it, each
    with how many of the reporting units in the subtrees of `units` owe it and how many
    have sent it in (at least once, whenever); none when those units owe no reports (an
    enterprise below the reporting level). Two queries, whatever the units."""
    near = [
        s
        for s in deadlines.slots(campaign)
        if today - datetime.timedelta(days=back) <= s.due <= today + datetime.timedelta(days=ahead)
    ]
    if not near or not units:
        return []
    where = under_paths(outermost_paths(u.path for u in units))
    owing = reporting_units(campaign, today=today).filter(where).values("pk")
    n_units = owing.count()
    if not n_units:
        return []
    sent = {
        (kind, period): n
        for kind, period, n in Report.objects.filter(
            campaign=campaign,
            unit__in=owing,
            first_submitted_at__isnull=False,
            kind__in={s.kind for s in near},
            period__in={s.period for s in near},
        )
        .values_list("kind", "period")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [
        Deadline(s, (s.due - today).days, n_units, sent.get((s.kind, s.period), 0)) for s in near
    ]
