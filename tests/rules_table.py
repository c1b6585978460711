"""What the permission tables (tests/<app>/test_rules.py) share.

Each app's table is a list of `Rule` rows, (actor, permission, object, expected), and a
list of `Page` rows, (actor, page, object, status). Actors and objects are named: a
`Cast` makes each member of the fixed cast (tests/conftest.py) the first time a row asks
for it, and each module builds its objects by name, so a row costs only what it uses.
"""

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import rules
from django.contrib.auth.models import AnonymousUser

from tests.factories import UserFactory


class Rule(NamedTuple):
    actor: str
    perm: str
    obj: str | None  # None: a permission asked without an object
    expected: bool

    @property
    def id(self) -> str:
        on = f"-{self.obj}" if self.obj else ""
        return f"{self.actor}-{self.perm}{on}-{'yes' if self.expected else 'no'}"


class Page(NamedTuple):
    actor: str
    page: str  # a key of the module's PAGES
    obj: str
    status: int

    @property
    def id(self) -> str:
        return f"{self.actor}-{self.page}-{self.obj}-{self.status}"


def rows(actor: str, perm: str, answers: dict[str | None, bool]) -> list[Rule]:
    """rows("office", "orgs.view_unit", {"city": True, ...}): one row per object."""
    return [Rule(actor, perm, obj, expected) for obj, expected in answers.items()]


def actors(perm: str, obj: str | None, answers: dict[str, bool]) -> list[Rule]:
    """actors("orgs.list_people", None, {"office": True, ...}): one row per actor."""
    return [Rule(actor, perm, obj, expected) for actor, expected in answers.items()]


def one_sided(table: Iterable[Rule]) -> set[str]:
    """The permissions the table shows only given, or only refused."""
    seen: dict[str, set[bool]] = {}
    for row in table:
        seen.setdefault(row.perm, set()).add(row.expected)
    return {perm for perm, answers in seen.items() if answers != {True, False}}


def ids(table: Iterable[Rule | Page]) -> list[str]:
    return [row.id for row in table]


def declared(*prefixes: str) -> set[str]:
    """The permissions registered with django-rules whose names start with a prefix."""
    return {name for name in rules.permissions.permissions if name.startswith(prefixes)}


class Cast:
    """The fixed cast by name, made on first use; "superuser" is a login with
    is_superuser (and no role), "nobody" an anonymous user."""

    def __init__(self, request):
        self._request = request
        self._made: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._made:
            if name == "superuser":
                self._made[name] = UserFactory(username="root", is_superuser=True, is_staff=True)
            elif name == "nobody":
                self._made[name] = AnonymousUser()
            else:
                self._made[name] = self._request.getfixturevalue(name)
        return self._made[name]


class Objects:
    """Objects by name, each built once per test by its builder `builders[name](cast,
    objects)` (a builder may ask for other objects)."""

    def __init__(self, cast: Cast, builders: dict[str, Callable[["Cast", "Objects"], Any]]):
        self.cast = cast
        self._builders = builders
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            self._made[name] = self._builders[name](self.cast, self)
        return self._made[name]


class View(NamedTuple):
    """One object page: how to ask for it, and what a refused POST must leave as it was."""

    method: str  # "get" or "post"
    url: Callable[[Any], str]
    data: Callable[[Any, Objects], dict] | None = None
    state: Callable[[Any], Any] | None = None


def visit(row: Page, views: dict[str, View], cast: Cast, objects: Objects, login):
    """Ask for the row's page as its actor: (status, state before, state after)."""
    view = views[row.page]
    obj = objects[row.obj]
    client = login(getattr(cast, row.actor))
    url = view.url(obj)
    data = view.data(obj, objects) if view.data else {}
    before = view.state(obj) if view.state else None
    response = getattr(client, view.method)(url, data)
    after = view.state(obj) if view.state else None
    return response.status_code, before, after


def check_rule(request, row: Rule, objects: dict) -> None:
    """The rule answers the row's question as the row expects."""
    from wenyi.core.permissions import allowed

    cast = Cast(request)
    user = getattr(cast, row.actor)
    obj = Objects(cast, objects)[row.obj] if row.obj else None
    assert allowed(user, row.perm, obj) == row.expected
    if not user.is_superuser:
        # Django's has_perm agrees, but for a superuser it is always yes: only the rule
        # knows about states and four eyes
        assert user.has_perm(row.perm, obj) == row.expected


def check_page(request, login, row: Page, views: dict[str, View], objects: dict) -> None:
    """The page answers the row's status, and only a redirect (the change done) may have
    changed anything."""
    cast = Cast(request)
    status, before, after = visit(row, views, cast, Objects(cast, objects), login)
    assert status == row.status
    if status != 302:
        assert after == before
