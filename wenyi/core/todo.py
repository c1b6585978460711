"""What each person has to do next: the start page's list and the count in the menu.

Every app registers a provider in its AppConfig.ready() (`register`); a provider gets
the login and the campaign and returns `Todo` items — counts of what waits for this
person (activities to check, reports due, works to hand in …) and notes (when review
opens). The start page shows them all, counted afresh; the menu shows the sum of the
counts, kept in the process's cache for a minute per login and campaign (the start page
renews it), so that pages do not count everything on every request — a coordinator
recording activities all afternoon would otherwise count their whole to-do list again
after every save. Asked for the sum only (`counting`), a provider may leave out what
carries only a note: it adds nothing to the number.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Todo:
    label: str
    url: str
    count: int = 0  # how many things wait; 0 with a note: something to know, not to do
    note: str = ""
    order: int = 50


Provider = Callable[..., list[Todo]]  # provider(user, campaign, counting=False) -> [Todo]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def items(user, campaign, *, counting: bool = False) -> list[Todo]:
    """Everything the providers list for this login in this campaign, in order (with
    `counting`, what adds to the menu's number at least). Renews the menu's number."""
    if campaign is None or not user.is_authenticated:
        return []
    found = [item for provider in _PROVIDERS for item in provider(user, campaign, counting)]
    listed = sorted((i for i in found if i.count or i.note), key=lambda i: i.order)
    cache.set(_key(user, campaign), sum(i.count for i in listed), CACHE_SECONDS)
    return listed


def _key(user, campaign) -> str:
    return f"wenyi:todo:{user.pk}:{campaign.pk}"


def count(user, campaign) -> int:
    """The number shown in the menu: what waits for this login (at most a minute old)."""
    if campaign is None or not user.is_authenticated:
        return 0
    value = cache.get(_key(user, campaign))
    if value is None:
        value = sum(i.count for i in items(user, campaign, counting=True))
    return value
