"""Scoped report querysets and the units that owe reports."""

from django.db.models import Q, QuerySet

from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import scope_for
from wenyi.reporting.models import Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports of the units a login manages (their subtree); nobody else's."""
    scope = scope_for(user)
    if scope.superuser:
        return Report.objects.all()
    if not scope.managed_paths:
        return Report.objects.none()
    q = Q(pk__in=[])
    for path in scope.managed_paths:
        q |= Q(unit__path__startswith=path)
    return Report.objects.filter(q)


def reporting_units(campaign: Campaign, owner: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """The units that owe reports: those from one to `participant_depth` levels below
    the campaign's owner (the counties, for 2014). The owner receives them."""
    owner = owner or campaign.owner_unit()
    if owner is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        path__startswith=owner.path,
        depth__gt=owner.depth,
        depth__lte=owner.depth + campaign.participant_depth,
    )
