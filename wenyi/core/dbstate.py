"""Has anything been committed to the database since? A token of the data a connection
sees: two equal tokens mean the same data, so an answer computed under one may be
given again under the other (wenyi.api.cache). Any commit, of whatever table, by
whichever process, gives a new token — a false "changed" costs a recomputation, never
a stale answer.

- SQLite: `PRAGMA data_version` changes when another connection commits; the
  connection's own `total_changes` counts the rows it changed itself; both only mean
  something within one connection, which the token names (the process and a serial
  given as the connection opens).
- PostgreSQL: the transaction snapshot (`pg_current_snapshot()`): equal snapshots see
  the same committed transactions, hence the same rows.

Inside a transaction (uncommitted changes of one's own) and on other databases there
is no token: None, and the caller computes afresh.
"""

import hashlib
import itertools
import os
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connections

T = TypeVar("T")

_serials = itertools.count(1)


def token(using: str = "default") -> str | None:
    """The token of the data the connection `using` sees now, or None (see above).
    Read it before reading the data: what is read after it is as new or newer."""
    connection = connections[using]
    if connection.in_atomic_block:
        return None
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            raw = connection.connection
            if getattr(connection, "wenyi_raw", None) is not raw:  # (re)opened: a new serial
                connection.wenyi_raw, connection.wenyi_serial = raw, next(_serials)
            cursor.execute("PRAGMA data_version")
            version = cursor.fetchone()[0]
            serial = f"{os.getpid()}.{connection.wenyi_serial}"
            return f"sqlite:{serial}:{version}:{raw.total_changes}"
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_current_snapshot()::text")
            return "pg:" + cursor.fetchone()[0]
    return None


_NOW = object()  # read the token now


def key(parts: tuple, state: str | None | object = _NOW) -> str | None:
    """A cache key for the question `parts` asked of the data as it is now (or as of
    `state`, a token read before), or None when there is no token (then nothing may be
    kept)."""
    if state is _NOW:
        state = token()
    if state is None:
        return None
    return "dbstate:" + hashlib.sha256(repr((*parts, state)).encode()).hexdigest()


def kept(
    parts: tuple, compute: Callable[[], T], seconds: int = 60, state: str | None | object = _NOW
) -> T:
    """`compute()`, or what it gave for the same `parts` while the database has not
    changed since (for at most `seconds`, in the process's cache). `parts` name the
    question fully: the login, its filters, the language, the day. `state`: a token read
    before anything the answer is drawn from (several answers of one page under one
    token: one read instead of several)."""
    found_key = key(parts, state)
    found = cache.get(found_key) if found_key else None
    if found is None:
        found = compute()
        if found_key:
            cache.set(found_key, found, seconds)
    return found


def lately(parts: tuple, compute: Callable[[], T], seconds: int, *, fresh: bool = False) -> T:
    """`kept(parts, compute)`, and besides, while the data keeps changing, what it gave
    at most `seconds` ago (whatever was committed since): for a page that may be a
    little behind and says when it was computed (the dashboard: fifty people saving
    would otherwise have it counted afresh on every look). `fresh`: compute now, and
    give that from now on. `seconds` 0: exactly `kept`."""
    if seconds <= 0:
        return compute() if fresh else kept(parts, compute)
    recent = "dbstate-lately:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = None if fresh else cache.get(recent)
    if found is None:
        found = compute() if fresh else kept(parts, compute)
        cache.set(recent, found, seconds)
    return found
