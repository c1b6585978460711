"""Scoped report querysets and the units that owe reports."""

from django.db.models import QuerySet

from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import managed
from wenyi.reporting.models import Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports of the units a login manages (their subtree); nobody else's."""
    return Report.objects.filter(managed(user, "unit__"))


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
