"""A read of the API answered again, without being computed again, while nothing has
been committed to the database since.

A client that polls a list (a provincial platform syncing every few seconds, a
union's WeChat account reading the works) asks the same question again and again;
between two changes the answer is the same bytes. `ReadCache` keeps each 200 answer
to a GET under /api/ made with a token, keyed by the token, the full path with its
query, the language, the day (the stages and expiry dates hang on it) and the
database's token of `core.dbstate` — any commit anywhere makes a new key, so an
answer is never older than the data. A revoked token, a login switched off, a role
taken away are commits too: the next request is computed and refused as before.
Kept for at most a minute, so the time-of-day changes nothing the answer shows
(the moment a token was last used is written at most every five minutes anyway).

Only a token's reads are kept: the site's session answers the docs page, and errors
are computed every time.
"""

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from wenyi.core import clock, dbstate

PREFIX = "/api/"
SECONDS = 60


class ReadCache:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        credentials = request.headers.get("Authorization", "")
        if (
            request.method != "GET"
            or not request.path.startswith(PREFIX)
            or not credentials.startswith("Bearer ")
        ):
            return self.get_response(request)
        parts = ("api", credentials, request.get_full_path(), translation.get_language())
        key = dbstate.key((*parts, clock.today()))
        if key is None:
            return self.get_response(request)
        kept = cache.get(key)
        if kept is not None:
            content_type, body = kept
            return HttpResponse(body, content_type=content_type)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and getattr(request, "auth", None) is not None  # the token let it in
        ):
            cache.set(key, (response["Content-Type"], response.content), SECONDS)
        return response
