from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from wenyi.core import problems


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user picked another language (the footer's switch sets a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many
    office computers run English browsers; our users work in Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def _error_page(request, status: int, title: str, message: str):
    from wenyi.core.errors import page

    return page(request, status, title, message)


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than WENYI_REQUEST_MAX_MB from its Content-Length,
    before a byte of it is read (first in the chain: nothing has read the body yet)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.WENYI_REQUEST_MAX_MB * 1024 * 1024
        if length > limit:
            from django.utils.translation import gettext as _

            translation.activate(settings.LANGUAGE_CODE)
            # (the unread body ends the connection: gunicorn's workers close it after
            # every response, and a proxy in front sees the 413 and stops sending)
            response = _error_page(
                request,
                413,
                _("Too much to send at once"),
                _(
                    "This upload is %(size)s MB; at most %(limit)s MB can be sent at once. "
                    "Send fewer or smaller files at a time."
                )
                % {"size": f"{length / 1024 / 1024:.0f}", "limit": settings.WENYI_REQUEST_MAX_MB},
            )
            return response
        return self.get_response(request)


class FormDataErrorMiddleware:
    """A form upload Django cannot parse gets a Chinese page that says why, not Django's
    bare "Bad Request (400)": most often a file name too long for the upload's part
    header (browsers send the name in full; 300 Chinese characters pass the limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
        from django.http.multipartparser import MultiPartParserError, TooManyFilesSent
        from django.utils.translation import gettext as _

        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, to answer a failure here
            except MultiPartParserError as exc:
                if "header size" in str(exc):
                    message = _(
                        "A file name is too long to upload (over about 300 Chinese "
                        "characters). Rename the file to something shorter and try again."
                    )
                else:
                    message = _(
                        "The upload arrived incomplete or damaged. Check the connection and "
                        "try again."
                    )
                return _error_page(request, 400, _("The upload could not be read"), message)
            except TooManyFilesSent:
                return _error_page(
                    request,
                    400,
                    _("Too many files at once"),
                    _("At most %(n)s files can be sent at once; send them in several goes.")
                    % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
                )
            except (TooManyFieldsSent, RequestDataTooBig):
                return _error_page(
                    request,
                    400,
                    _("The form is too large"),
                    _("The form holds more than this site accepts at once; send it in parts."),
                )
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off browser features the site never uses, for every page it serves."""

    POLICY = (
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
        "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response


class PageCompressionMiddleware(GZipMiddleware):
    """Pages (HTML, JSON, text) sent gzipped to a browser that accepts it; a page is ~7 KB
    instead of ~30. Django's GZipMiddleware pads each answer with random bytes against
    BREACH (guessing a secret from the size of compressed pages). Files — photos, videos
    with their byte ranges, documents — go as they are: they are compressed already, or
    a range of them must stay a range of the file."""

    COMPRESSED_TYPES = ("text/", "application/json", "application/javascript")

    def process_response(self, request, response):
        kind = response.get("Content-Type", "")
        if not kind.startswith(self.COMPRESSED_TYPES) or response.status_code == 206:
            return response
        return super().process_response(request, response)


class ApiProblemMiddleware:
    """Under /api/, an error answered by something other than the API itself (a method
    not allowed, a refused CSRF check, a body too large) comes as problem details too,
    so a client never has to read an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(problems.API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith(problems.MEDIA_TYPE):
            return response
        from wenyi.core.errors import PAGES

        title, detail = PAGES.get(response.status_code, PAGES[400])
        if response.status_code == 405:
            title = detail = _("This method is not allowed here: %(allowed)s.") % {
                "allowed": response.get("Allow", "")
            }
        answer = problems.problem(request, response.status_code, title, detail)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer
