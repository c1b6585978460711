"""Making and revoking API tokens: each audited, each told to the token's login (a
token made or revoked that they did not expect is the first sign of a stolen password)."""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.api.models import ApiToken
from wenyi.core import audit, clock, notify
from wenyi.core.enums import AuditAction, NoticeKind

PREFIX = "wy_"
PREFIX_SHOWN = 10  # "wy_" and 7 characters of the secret: enough to tell tokens apart


def digest(raw: str) -> str:
    """The stored form of a token. A plain SHA-256 suffices: the token is 256 random
    bits, so there is nothing to guess that a slow hash would protect."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(
    actor, *, name: str, valid_days: int | None, form_token=None
) -> tuple[ApiToken, str]:
    """A new token of `actor`'s own login: the record and the token itself, which is
    never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name: say what the token is for.")})
    if valid_days is not None and valid_days < 1:
        raise ValidationError({"valid_days": _("Valid for: at least one day.")})
    raw = PREFIX + secrets.token_urlsafe(32)
    expires = clock.today() + datetime.timedelta(days=valid_days) if valid_days else None
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=raw[:PREFIX_SHOWN],
        digest=digest(raw),
        expires_on=expires,
        form_token=form_token,
    )
    audit.record(actor, AuditAction.CREATE, token)
    notify.notify(
        [actor],
        _("An API token “%(name)s” (%(prefix)s…) was made for your login.")
        % {
            "name": token.name,
            "prefix": token.prefix,
        },
        kind=NoticeKind.ACCOUNT,
        url=reverse("api:tokens"),
    )
    return token, raw


@transaction.atomic
def revoke_token(actor, token: ApiToken) -> ApiToken:
    """Stop a token from working, at once; a second revoke is refused (nothing changes)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token is revoked already."))
    before = audit.snapshot(token)
    token.revoked_at = clock.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor, AuditAction.UPDATE, token, before=before)
    notify.notify(
        [token.user],
        _("The API token “%(name)s” (%(prefix)s…) of your login was revoked.")
        % {
            "name": token.name,
            "prefix": token.prefix,
        },
        kind=NoticeKind.ACCOUNT,
        url=reverse("api:tokens"),
    )
    return token


USE_STAMP_EVERY = datetime.timedelta(minutes=5)


def user_for(raw: str):
    """The active login a usable token stands for, else None. The moment of use is
    written at most every few minutes, so a busy client does not write on every request."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()
    if token is None or not token.usable or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > USE_STAMP_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
