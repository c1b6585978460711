"""The one way a button changes a record's state: permission, reason, service, message.

Each app lists its actions (`Action`: the rule that allows it, the service that does it,
the form for the reason when one is needed, the message when done) and its view calls
`dispatch`. Someone without the role gets 403; someone with the role whom the record's
state refuses (a second click, a colleague's action in between, their own submission)
gets the service's own message saying why — the services check state and four eyes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from wenyi.core.permissions import allowed


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


@dataclass(frozen=True)
class Action:
    perm: str  # the rule that allows it on the record
    run: Callable[..., Any]  # service(actor, record) or service(actor, record, reason)
    done: str  # the message once done
    form: type[forms.Form] | None = None  # the reason, when one is needed
    # the rule of the role alone (`perm` without the record's state and the four-eyes
    # part): someone who holds it is refused by the service, which says why
    could: str | None = None


def form_errors(form: forms.Form) -> str:
    """A small form's errors as one message, each naming its field."""
    return " ".join(
        f"{form.fields[name].label}：{message}"
        if name in form.fields and form.fields[name].label
        else message
        for name, errors in form.errors.items()
        for message in errors
    )


def dispatch(
    request: HttpRequest,
    record,
    name: str,
    actions: dict[str, Action],
    *,
    back: HttpResponse,
) -> HttpResponse:
    """Carry out action `name` on `record` for the request's user, then `back`."""
    action = actions.get(name)
    if action is None:
        raise Http404
    user = request.user
    # without the role: 403. With the role but the record in another state (a second
    # click, a colleague's action in between) or submitted by this user: the service
    # refuses, with a message that says why.
    if not allowed(user, action.perm, record) and not (
        action.could and allowed(user, action.could, record)
    ):
        raise PermissionDenied
    args: list[Any] = []
    if action.form is not None:
        form = action.form(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return back
        args.append(next(iter(form.cleaned_data.values())))
    try:
        action.run(user, record, *args)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, action.done)
    return back
