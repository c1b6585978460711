"""The API's errors as problem details (RFC 9457) in the request's language: every
refusal names what was wrong and, for input, the field (see wenyi.core.problems)."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError

from wenyi.core.problems import problem
from wenyi.core.versioning import EditConflict

logger = logging.getLogger(__name__)


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None
    current_version: int | None = None


# the parts of a pydantic error's location that are not the field's name
_WRAPPERS = {"body", "query", "path", "payload", "filters", "pagination", "header", "cookie"}


def _field(loc) -> str:
    parts = [str(p) for p in loc if str(p) not in _WRAPPERS]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    """A pydantic error in words of the site's language (Django's own messages where
    Django has them, so they come translated)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return _("Enter a number.")
    if kind.startswith("date") and "time" not in kind:
        return _("Enter a valid date.")
    if kind.startswith("datetime"):
        return _("Enter a valid date/time.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind == "string_too_long":
        return _("At most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("At least %(limit)s characters.") % {"limit": ctx.get("min_length", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt", ""))
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt", ""))
        }
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind == "uuid_parsing" or kind == "uuid_type":
        return _("Enter a valid UUID.")
    if kind == "list_type":
        return _("Enter a list of values.")
    if kind in {"dict_type", "model_attributes_type", "model_type"}:
        return _("Expected an object with named fields.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    return _("Not a valid value.")


def _summary(errors: list[dict]) -> str:
    return _("Check the input: %(problems)s") % {
        "problems": "；".join(f"{e['field']}：{e['message']}" for e in errors)
    }


def input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    errors = [{"field": _field(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
    return problem(request, 422, _("The input is not valid"), _summary(errors), errors=errors)


def refused(request: HttpRequest, exc: ValidationError, fields: dict | None = None):
    """A service's or a form's refusal: 409 when someone changed the record since the
    client read it (with the version it has now), else 422 naming the fields."""
    if isinstance(exc, EditConflict):
        return problem(
            request,
            409,
            _("Changed by someone else"),
            " ".join(exc.messages),
            current_version=exc.current_version,
        )
    errors = []
    if hasattr(exc, "error_dict"):
        for name, items in exc.error_dict.items():
            field = (fields or {}).get(name, name)
            for item in items:
                for message in item.messages:
                    errors.append({"field": field if name != "__all__" else "", "message": message})
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    detail = "；".join(
        f"{e['field']}：{e['message']}" if e["field"] else e["message"] for e in errors
    )
    return problem(request, 422, _("Refused"), detail, errors=[e for e in errors if e["field"]])


def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        401,
        _("Token needed"),
        _(
            "Send a valid API token as “Authorization: Bearer <token>”. A token is made on "
            "the “API tokens” page of your login; a revoked or expired token no longer works."
        ),
    )


def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        404,
        _("Not found"),
        _("There is no such record, or it is not open to you."),
    )


def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        403,
        _("Not allowed"),
        _("You can see this, but not do this with your role."),
    )


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja: a body that is not JSON
        return problem(
            request,
            400,
            _("The request could not be read"),
            _("The request body is not valid JSON."),
        )
    return problem(request, exc.status_code, exc.message, exc.message)


def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path)
    return problem(
        request,
        500,
        _("Something went wrong"),
        _(
            "The request could not be answered because of a fault on the server. Nothing "
            "was saved unless a later read shows it; try again in a moment."
        ),
    )


def install(api) -> None:
    api.add_exception_handler(InputError, input_error)
    api.add_exception_handler(ValidationError, refused)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Exception, server_error)
