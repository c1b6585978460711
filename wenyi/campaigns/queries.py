from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from wenyi.campaigns.models import ActivityType, AwardKind, Campaign, WorkCategory
from wenyi.core.permissions import visible_or_404
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import scope_for


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaign rules are public information (the notice itself); every login sees them."""
    return Campaign.objects.all()


def campaigns_concerning(user) -> list[Campaign]:
    """The campaigns a login works in, newest first: those whose owner's tree holds a
    unit where the login holds a role, or whose owner sits below one (a province office
    above a city's campaign). A superuser: every campaign. The start page and the menu
    open on the first of them. One query, kept on the request's user."""
    cached = getattr(user, "_wenyi_campaigns", None)
    if cached is not None:
        return cached
    owner_path = OrgUnit.objects.filter(code=OuterRef("owner_unit_code")).values("path")[:1]
    campaigns = Campaign.objects.annotate(owner_path=Subquery(owner_path))
    campaigns = list(campaigns.order_by("-year", "-start", "slug"))
    scope = scope_for(user)
    if not scope.superuser:
        campaigns = [
            c
            for c in campaigns
            if c.owner_path
            and any(
                p.startswith(c.owner_path) or c.owner_path.startswith(p) for p in scope.member_paths
            )
        ]
    user._wenyi_campaigns = campaigns  # read once per request, like orgs.queries.scope_for
    return campaigns


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
