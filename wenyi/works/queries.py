from django.db.models import Q, QuerySet

from wenyi.orgs.queries import scope_for, under_paths
from wenyi.works.models import Work


def works_visible_to(user) -> QuerySet[Work]:
    """Managers: their subtree's works. Artists: the works they wrote or entered."""
    scope = scope_for(user)
    if scope.superuser:
        return Work.objects.all()
    if not user.is_authenticated:
        return Work.objects.none()
    own = Work.objects.filter(Q(authors__user=user) | Q(created_by=user)).values("pk")
    q = Q(pk__in=own)
    if scope.managed_paths:
        q |= under_paths(scope.managed_paths, "unit__")
    return Work.objects.filter(q)
