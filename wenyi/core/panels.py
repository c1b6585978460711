"""Panels that higher apps add to the pages of lower ones.

A unit's page belongs to orgs, which knows nothing of campaigns; yet it shows the
unit's quota progress (activities) and its leading groups (campaigns). Those apps
register a panel for the page in their AppConfig.ready(); the page's template draws
whatever is registered with `{% panels "orgs.unit" unit %}` (core's tag library). So
imports keep flowing one way (DESIGN.md): the lower app names a place, the higher one
fills it.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

# a panel: (request, the page's object) -> HTML (already escaped), or "" to show nothing
Panel = Callable[[HttpRequest, Any], str]

_PANELS: dict[str, list[tuple[int, str, Panel]]] = {}


def register(page: str, *, order: int = 50) -> Callable[[Panel], Panel]:
    """Add a panel to `page` (e.g. "orgs.unit"); lower `order` comes first."""

    def decorate(panel: Panel) -> Panel:
        entries = _PANELS.setdefault(page, [])
        name = f"{panel.__module__}.{panel.__qualname__}"
        if all(existing != name for _order, existing, _panel in entries):
            entries.append((order, name, panel))
            entries.sort(key=lambda entry: (entry[0], entry[1]))
        return panel

    return decorate


def render(page: str, request: HttpRequest, obj: Any) -> list[str]:
    """The HTML of every panel registered for `page`, in order, empty ones left out."""
    return [html for _order, _name, panel in _PANELS.get(page, []) if (html := panel(request, obj))]
