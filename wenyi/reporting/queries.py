"""Scoped report querysets. Which units owe reports is campaigns.participation's answer."""

from django.db.models import QuerySet

from wenyi.orgs.queries import managed
from wenyi.reporting.models import Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports of the units a login manages (their subtree); nobody else's."""
    return Report.objects.filter(managed(user, "unit__"))
