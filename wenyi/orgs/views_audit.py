"""The audit log and the history of one record, as far as the viewer's office reaches.

Entries are filed under the unit their record belongs to (`AuditEntry.unit_path`): an
office at a county sees its county's entries, never another county's, and a record
whose entries all lie outside the viewer's reach is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from wenyi.core.enums import AuditAction
from wenyi.core.permissions import require
from wenyi.orgs.queries import audit_entries_visible_to


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, "core.view_audit")
    visible = audit_entries_visible_to(request.user)
    entries = visible.select_related("actor", "content_type")
    model = request.GET.get("model", "")
    if model:
        entries = entries.filter(content_type__model=model)
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    models = [
        (ct.model, ct.model_class()._meta.verbose_name if ct.model_class() else ct.model)
        for ct in ContentType.objects.filter(
            pk__in=visible.values("content_type").distinct()
        ).order_by("app_label", "model")
    ]
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "models": models,
            "model": model,
            "action": action,
            "actions": AuditAction.choices,
        },
    )


@login_required
def audit_object(request: HttpRequest, ct: int, object_id: str) -> HttpResponse:
    require(request.user, "core.view_audit")
    content_type = get_object_or_404(ContentType, pk=ct)
    entries = audit_entries_visible_to(request.user).filter(
        content_type=content_type, object_id=object_id
    )
    entries = list(entries.select_related("actor", "content_type")[:500])
    if not entries:
        raise Http404
    return render(
        request,
        "core/audit_object.html",
        {"entries": entries, "content_type": content_type, "object_repr": entries[0].object_repr},
    )
