"""What works adds to other apps' pages and documents (see core.panels)."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wenyi.core import panels
from wenyi.works.enums import WorkStatus
from wenyi.works.models import Work


@panels.register("reporting.statistics")
def works_per_art_form(request, subject) -> str:
    """The summary's statistics paragraph: the works the unit and the units below it
    submitted by the date the figures are taken at, per art form."""
    report, as_of = subject
    rows = list(
        Work.objects.filter(
            campaign=report.campaign,
            unit__path__startswith=report.unit.path,
            status=WorkStatus.SUBMITTED,
            submitted_at__date__lte=as_of,
        )
        .values("category__name", "category__position")
        .annotate(n=Count("id"))
        .order_by("category__position", "category__name")
    )
    if not rows:
        return ""
    forms = pgettext("list separator", ", ").join(
        _("%(form)s %(n)s") % {"form": row["category__name"], "n": row["n"]} for row in rows
    )
    return _("Works submitted: %(total)s (%(forms)s).") % {
        "total": sum(row["n"] for row in rows),
        "forms": forms,
    }
