from django import template
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select, SelectMultiple

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field's widget with the Bootstrap class that fits it."""
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, CheckboxSelectMultiple | RadioSelect):
        css = ""
    elif isinstance(widget, Select | SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def history_url(obj) -> str:
    """The audit history page of a record."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return reverse("orgs:audit_object", args=[ct.pk, str(obj.pk)])


@register.inclusion_tag("_breadcrumbs.html")
def breadcrumbs(*parts) -> dict:
    """`{% breadcrumbs label url label url … current %}`: where a page sits, each step a
    link to a page its reader may open. A step with an empty label is left out (a template
    passes "" for a step its reader may not open); an empty url shows the step unlinked."""
    *pairs, current = parts
    steps = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2) if pairs[i]]
    return {"steps": steps, "current": current}


@register.simple_tag
def allowed(perm: str, user, obj=None) -> bool:
    """`{% allowed "app.perm" user obj as can %}`: the rule decides, for superusers too
    (core.permissions.allowed; django-rules' `has_perm` tag would say yes to them)."""
    from wenyi.core.permissions import allowed as rule_allows

    return rule_allows(user, perm, obj)


@register.simple_tag
def audit_rows(entry) -> list:
    """(field label, before, after) rows of an audit entry (keys named like dict methods,
    such as "items", are data here, never looked up as methods)."""
    from wenyi.core.audit import change_rows

    return change_rows(entry)


@register.simple_tag(takes_context=True)
def panels(context, page: str, obj) -> str:
    """The panels higher apps registered for this page (see core.panels)."""
    from django.utils.safestring import mark_safe

    from wenyi.core import panels as registry

    request = context.get("request")
    if request is None:
        return ""
    return mark_safe("".join(registry.render(page, request, obj)))  # noqa: S308 - panels escape
