"""What reporting puts on people's to-do lists (see core.todo)."""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.campaigns.participation import reporting_units
from wenyi.core import clock, todo
from wenyi.core.permissions import allowed
from wenyi.orgs.queries import checked_by, managed
from wenyi.reporting import deadlines
from wenyi.reporting.enums import ReportStatus
from wenyi.reporting.models import Report


@todo.register
def report_todos(user, campaign, counting: bool = False) -> list[todo.Todo]:
    if not allowed(user, "reporting.list"):
        return []
    today = clock.today()
    listed = reverse("reporting:list", args=[campaign.slug])
    reports = Report.objects.filter(campaign=campaign)
    slots = deadlines.slots(campaign)
    items = [
        todo.Todo(
            _("Reports returned to your units"),
            listed,
            reports.filter(managed(user, "unit__"), status=ReportStatus.RETURNED).count(),
            order=15,
        ),
        todo.Todo(
            _("Reports waiting for you to approve"),
            listed,
            reports.filter(checked_by(user), status=ReportStatus.SUBMITTED)
            .exclude(submitted_by=user)
            .count(),
            order=25,
        ),
    ]
    owner = campaign.owner_unit()
    units = reporting_units(campaign, today=today, owner=owner).filter(managed(user))
    if owner is not None and allowed(user, "reporting.oversee", owner):
        # the office: units with a report past its due date and never sent
        due = [s for s in slots if s.due < today]
        sent = (
            reports.filter(unit__in=units, first_submitted_at__isnull=False, due__lt=today)
            .values("unit")
            .annotate(n=Count("id"))
        )
        complete = {row["unit"] for row in sent if row["n"] >= len(due)}
        late = units.exclude(pk__in=complete).count() if due else 0
        items.append(
            todo.Todo(
                _("Units with reports overdue"),
                reverse("reporting:completeness", args=[campaign.slug]),
                late,
                order=65,
            )
        )
        return items
    # a unit's own people: what it owes soon and what is late
    soon = today + datetime.timedelta(days=campaign.reminder_days_before)
    sent = set(
        reports.filter(unit__in=units, first_submitted_at__isnull=False).values_list(
            "unit_id", "kind", "period"
        )
    )
    owed = [(u, s) for u in units.only("pk") for s in slots if (u.pk, s.kind, s.period) not in sent]
    items += [
        todo.Todo(
            _("Reports due within %(days)s days") % {"days": campaign.reminder_days_before},
            listed,
            sum(1 for _u, s in owed if today <= s.due <= soon),
            order=5,
        ),
        todo.Todo(_("Reports overdue"), listed, sum(1 for _u, s in owed if s.due < today), order=6),
    ]
    return items
