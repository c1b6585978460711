from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from wenyi.core.models import AuditEntry
from wenyi.core.permissions import require


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, "core.view_audit")
    entries = AuditEntry.objects.select_related("actor", "content_type")
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
            pk__in=AuditEntry.objects.values("content_type").distinct()
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
            "actions": AuditEntry._meta.get_field("action").choices,
        },
    )


@login_required
def audit_object(request: HttpRequest, ct: int, object_id: str) -> HttpResponse:
    require(request.user, "core.view_audit")
    content_type = get_object_or_404(ContentType, pk=ct)
    entries = AuditEntry.objects.filter(content_type=content_type, object_id=object_id)
    entries = entries.select_related("actor")
    if not entries.exists():
        raise Http404
    return render(
        request,
        "core/audit_object.html",
        {
            "entries": entries,
            "content_type": content_type,
            "object_repr": entries[0].object_repr,
        },
    )
