"""Error pages in Chinese, in the site's layout: what happened and a way back.

Wired as the root URLconf's handler400/403/404/500; the middleware's own refusals
(too large, unreadable upload) use `page()` too.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return page(
        request,
        400,
        _("The request could not be read"),
        _(
            "What the browser sent is incomplete or not valid. Reload the page and try again; "
            "if you were uploading, check the file and the connection."
        ),
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return page(
        request,
        403,
        _("Not allowed"),
        _(
            "You can see this, but not do this with your role. If you think you should, "
            "ask your campaign office to give you the role it needs."
        ),
    )


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return page(
        request,
        404,
        _("Page not found"),
        _(
            "There is no such page, or it is not open to you: it may have been deleted, "
            "or belong to another unit. Check the address, or start again from the start "
            "page."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return page(
            request,
            500,
            _("Something went wrong"),
            _(
                "The page could not be shown because of a fault on the server. Nothing you "
                "entered was lost if the page said it was saved; otherwise try again in a "
                "moment. If it keeps happening, tell your campaign office the time it happened."
            ),
        )
    except Exception:  # the layout itself failed (the database is down, say)
        logger.exception("error page could not be drawn; using the plain one")
        return HttpResponse(loader.get_template("500.html").render(), status=500)
