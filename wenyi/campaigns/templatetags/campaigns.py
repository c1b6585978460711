from django import template

from wenyi.campaigns.models import LeadingGroup

register = template.Library()


@register.simple_tag
def owner_leading_group(campaign):
    """The campaign owner's own leading group (R2), with its members."""
    unit = campaign.owner_unit()
    if unit is None:
        return None
    return (
        LeadingGroup.objects.filter(campaign=campaign, unit=unit)
        .prefetch_related("members")
        .first()
    )
