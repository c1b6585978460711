from wenyi.orgs.queries import scope_for


def navigation(request):
    """What the navigation bar needs: the login's roles."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    from django.conf import settings

    return {
        "pretend_today": settings.WENYI_TODAY,
        "nav_roles": scope.roles,
        "nav_is_office": scope.superuser or "office" in scope.roles,
        "nav_is_manager": scope.superuser or bool(scope.managed_paths),
    }
