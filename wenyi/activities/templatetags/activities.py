from django import template

register = template.Library()


@register.filter
def activity_status(value) -> str:
    """The label of a stored status key (audit entries keep keys)."""
    from wenyi.activities.enums import ActivityStatus

    if value in ActivityStatus.values:
        return ActivityStatus(value).label
    return "—" if value is None else value
