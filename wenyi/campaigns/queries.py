from django.db.models import Prefetch, QuerySet

from wenyi.campaigns.models import ActivityType, AwardKind, Campaign, WorkCategory
from wenyi.core.permissions import visible_or_404
from wenyi.orgs.models import OrgUnit


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaign rules are public information (the notice itself); every login sees them."""
    return Campaign.objects.all()


def campaign_or_404(user, slug: str) -> Campaign:
    """The campaign a page is about (with its stages), or 404."""
    return visible_or_404(campaigns_visible_to(user).prefetch_related("stages"), slug=slug)


def campaign_with_rules(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Everything the campaign page shows, in a fixed number of queries."""
    return queryset.prefetch_related(
        "stages",
        "organisers",
        "contacts",
        Prefetch("activity_types", ActivityType.objects.prefetch_related("metrics")),
        Prefetch("work_categories", WorkCategory.objects.select_related("parent")),
        Prefetch("award_kinds", AwardKind.objects.prefetch_related("tiers")),
    )


def participating_units(campaign: Campaign) -> QuerySet[OrgUnit]:
    """The owner unit and the units down to `participant_depth` levels below it."""
    owner = campaign.owner_unit()
    if owner is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        path__startswith=owner.path, depth__lte=owner.depth + campaign.participant_depth
    )
