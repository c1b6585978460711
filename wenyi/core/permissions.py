"""View helpers: outsiders get 404 (from scoped querysets), read-only insiders 403."""

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404


def visible_or_404(queryset: QuerySet, **lookup) -> Model:
    """Fetch from a queryset already scoped to the user; anything outside it is a 404."""
    return get_object_or_404(queryset, **lookup)


def require(user, perm: str, obj=None) -> None:
    """Raise 403 unless the user holds `perm` (a rules permission) on `obj`."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


@rules.predicate
def submitted_it(user, obj) -> bool:
    """The user submitted this record (see transitions.refuse_own_submission)."""
    submitted_by = getattr(obj, "submitted_by_id", None)
    return submitted_by is not None and submitted_by == user.pk
