"""View helpers: outsiders get 404 (from scoped querysets), read-only insiders 403."""

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404


def visible_or_404(queryset: QuerySet, **lookup) -> Model:
    """Fetch from a queryset already scoped to the user; anything outside it is a 404."""
    return get_object_or_404(queryset, **lookup)


def allowed(user, perm: str, obj=None) -> bool:
    """Whether the rule `perm` allows `user` on `obj`. The rule itself decides, for a
    superuser too: Django's `user.has_perm` says yes to a superuser whatever the record's
    state, which would offer them to verify a draft or approve their own submission (the
    rules give a superuser every unit's reach, not a pass around states or four eyes)."""
    return user is not None and rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None) -> None:
    """Raise 403 unless the rule `perm` allows `user` on `obj`."""
    if not allowed(user, perm, obj):
        raise PermissionDenied


@rules.predicate
def submitted_it(user, obj) -> bool:
    """The user submitted this record (see transitions.refuse_own_submission)."""
    submitted_by = getattr(obj, "submitted_by_id", None)
    return submitted_by is not None and submitted_by == user.pk
