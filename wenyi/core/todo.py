"""What each person has to do next: the start page's list and the count in the menu.

Every app registers a provider in its AppConfig.ready() (`register`); a provider gets
the login and the campaign and returns `Todo` items — counts of what waits for this
person (activities to check, reports due, works to hand in …) and notes (when review
opens). The start page shows them all; the menu shows the sum of the counts, kept in
the cache for a short while (and dropped when the person changes something), so that
pages do not count everything on every request.
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


Provider = Callable[..., list[Todo]]  # provider(user, campaign) -> [Todo]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def items(user, campaign) -> list[Todo]:
    """Everything the providers list for this login in this campaign, in order."""
    if campaign is None or not user.is_authenticated:
        return []
    found = [item for provider in _PROVIDERS for item in provider(user, campaign)]
    return sorted((i for i in found if i.count or i.note), key=lambda i: i.order)


def _generation(user) -> int:
    return cache.get(f"wenyi:todo-gen:{user.pk}", 0)


def _key(user, campaign) -> str:
    return f"wenyi:todo:{user.pk}:{campaign.pk}:{_generation(user)}"


def count(user, campaign) -> int:
    """The number shown in the menu: what waits for this login (cached briefly)."""
    if campaign is None or not user.is_authenticated:
        return 0
    key = _key(user, campaign)
    value = cache.get(key)
    if value is None:
        value = sum(i.count for i in items(user, campaign))
        cache.set(key, value, CACHE_SECONDS)
    return value


def forget(user) -> None:
    """Drop a login's cached counts (after it changed something): the next page counts
    afresh."""
    if user is not None and user.is_authenticated:
        cache.set(f"wenyi:todo-gen:{user.pk}", _generation(user) + 1, None)
