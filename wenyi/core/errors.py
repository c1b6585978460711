"""Error pages in Chinese, in the site's layout: what happened and a way back.

Wired as the root URLconf's handler400/403/404/500; the middleware's own refusals
(too large, unreadable upload) use `page()` too.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

from wenyi.core import problems

logger = logging.getLogger(__name__)

# status: (title, what happened and what to do)
PAGES = {
    400: (
        _("The request could not be read"),
        _(
            "What the browser sent is incomplete or not valid. Reload the page and try "
            "again; if you were uploading, check the file and the connection."
        ),
    ),
    403: (
        _("Not allowed"),
        _(
            "You can see this, but not do this with your role. If you think you should, "
            "ask your campaign office to give you the role it needs."
        ),
    ),
    404: (
        _("Page not found"),
        _(
            "There is no such page, or it is not open to you: it may have been deleted, "
            "or belong to another unit. Check the address, or start again from the start "
            "page."
        ),
    ),
    500: (
        _("Something went wrong"),
        _(
            "The page could not be shown because of a fault on the server. Nothing you "
            "entered was lost if the page said it was saved; otherwise try again in a "
            "moment. If it keeps happening, tell your campaign office the time it happened."
        ),
    ),
}


def page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """The error page; under /api/ the same as problem details (wenyi.core.problems)."""
    if problems.is_api(request):
        return problems.problem(request, status, title, message)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def _standard(status: int):
    def view(request: HttpRequest, exception=None) -> HttpResponse:
        return page(request, status, *PAGES[status])

    view.__name__ = f"error_{status}"
    return view


bad_request = _standard(400)
permission_denied = _standard(403)
page_not_found = _standard(404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return page(request, 500, *PAGES[500])
    except Exception:  # the layout itself failed (the database is down, say)
        logger.exception("error page could not be drawn; using the plain one")
        return HttpResponse(loader.get_template("500.html").render(), status=500)
