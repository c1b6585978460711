"""The login's own API tokens: make one (shown once), see them, revoke one."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyi.api import services
from wenyi.api.forms import TokenForm
from wenyi.api.models import ApiToken
from wenyi.core import tokens
from wenyi.core.permissions import require
from wenyi.core.versioning import show_refusal


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "api.tokens")
    form = TokenForm(request.POST or None, initial={"token": uuid.uuid4()})
    made = raw = None
    if request.method == "POST" and form.is_valid():
        bound = tokens.bind(request, form.cleaned_data.get("token"))
        sent = (
            ApiToken.objects.filter(user=request.user, form_token=bound).first() if bound else None
        )
        if sent is not None:
            # the same form sent again: the token was made, and shown, the first time
            messages.warning(
                request,
                _(
                    "The token “%(name)s” was made by the first click and shown then; it "
                    "cannot be shown again. If you did not copy it, revoke it and make another."
                )
                % {"name": sent.name},
            )
            return redirect("api:tokens")
        try:
            made, raw = services.create_token(
                request.user,
                name=form.cleaned_data["name"],
                valid_days=form.days(),
                form_token=bound,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            form = TokenForm(initial={"token": uuid.uuid4()})
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "made": made,
            "raw": raw,
            "tokens": ApiToken.objects.filter(user=request.user).select_related("revoked_by"),
            "docs_url": "/api/v1/docs",
        },
    )
    add_never_cache_headers(response)  # the new token is on this page once, in no cache
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    require(request.user, "api.revoke_token", token)
    try:
        services.revoke_token(request.user, token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name}
        )
    return redirect("api:tokens")
