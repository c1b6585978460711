"""Error bodies of the API: problem details (RFC 9457) in the request's language.

`{"type": …, "title": …, "status": …, "detail": …, "instance": …}` with the media type
`application/problem+json`; a refusal naming fields adds `errors`, one
`{"field": …, "message": …}` per problem. The site's error handlers answer a path under
`/api/` with one of these instead of an HTML page, so a client never has to read HTML.
"""

import json

from django.http import HttpRequest, HttpResponse

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"

# the `type` of each kind of problem: a stable name clients may branch on
TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "edit-conflict",
    413: "too-large",
    422: "invalid",
    429: "too-many-requests",
    500: "server-error",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    *,
    errors: list[dict] | None = None,
    kind: str = "",
    **extra,
) -> HttpResponse:
    body = {
        "type": f"{API_PREFIX}v1/problems/{kind or TYPES.get(status, 'error')}",
        "title": str(title),
        "status": status,
        "detail": str(detail or title),
        "instance": request.path,
        **extra,
    }
    if errors:
        body["errors"] = [{"field": e["field"], "message": str(e["message"])} for e in errors]
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="wenyi"'
    return response
