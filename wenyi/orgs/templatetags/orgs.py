from django import template

from wenyi.orgs.models import LeadingGroup
from wenyi.orgs.queries import owner_unit

register = template.Library()


@register.simple_tag
def owner_leading_group(campaign):
    """The campaign owner's own leading group (R2), for pages of apps to the left of orgs."""
    unit = owner_unit(campaign)
    if unit is None:
        return None
    return (
        LeadingGroup.objects.filter(campaign=campaign, unit=unit)
        .prefetch_related("members")
        .first()
    )
