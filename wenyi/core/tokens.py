"""One-time form tokens, bound to the session that was shown the form.

A create form carries a random token; the record it creates stores it, so a second
click or a retry after a timeout finds the first record instead of making another.
What is stored is not the token itself but a keyed hash of it and the session: a token
copied into another session (another county's, say) names nothing there.
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.http import HttpRequest


def bind(request: HttpRequest, raw) -> uuid.UUID | None:
    """The stored form of a posted token for this session; None if it is not a token."""
    try:
        token = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw or ""))
    except ValueError:
        return None
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) or ""
    user = getattr(request, "user", None)
    owner = f"{key}:{getattr(user, 'pk', '') or ''}"
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"form-token:{owner}:{token}".encode(), hashlib.sha256
    ).digest()
    return uuid.UUID(bytes=digest[:16])
