"""What every endpoint shares: who is asking (a token, or the site's own session for the
docs page), lists in pages, and the records a login may open."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer, SessionAuth

from wenyi.api import services
from wenyi.orgs.queries import units_visible_to


class TokenAuth(HttpBearer):
    """`Authorization: Bearer wy_…`: the token's login, with its roles as they are now."""

    def authenticate(self, request: HttpRequest, token: str):
        user = services.user_for(token)
        if user is not None:
            request.user = user
        return user


class SiteSession(SessionAuth):
    """A login on the site itself (the interactive docs page); changes need the CSRF token.
    A request that names a token stands or falls by it: a revoked token sent from a
    browser that is also logged in is refused, not let through on the cookie."""

    def authenticate(self, request: HttpRequest, key):
        if "Authorization" in request.headers:
            return None
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), SiteSession()]

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class Pages(PaginationBase):
    """`?page=N&page_size=M`: the page's items with the whole count, so a client knows
    how many pages there are."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    class Output(Schema):
        count: int
        page: int
        page_size: int
        pages: int
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: Input, request=None, **params):
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        size = pagination.page_size
        start = (pagination.page - 1) * size
        return {
            "count": count,
            "page": pagination.page,
            "page_size": size,
            "pages": max(1, -(-count // size)),
            "items": list(queryset[start : start + size]) if start < count else [],
        }


def within(user, queryset, code: str, prefix: str = "unit__"):
    """`queryset` narrowed to unit `code` and those below it — a unit the login may see;
    another code narrows it to nothing."""
    code = code.strip()
    if not code:
        return queryset
    top = units_visible_to(user).filter(code=code).first()
    if top is None:
        return queryset.none()
    return queryset.filter(**{f"{prefix}path__startswith": top.path})
