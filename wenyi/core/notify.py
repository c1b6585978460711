"""Notices to people: in the app (the navbar's 通知) and by e-mail, sent once the
database transaction that caused them has committed (a rolled-back change tells no one).
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from wenyi.core.models import Notification

logger = logging.getLogger(__name__)


def _site_link(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def notify(
    users: Iterable, message: str, *, url: str = "", email: bool = True, body: str = ""
) -> int:
    """One in-app notice for each active login and, with `email`, one e-mail to each
    address on file. Returns the number of notices created."""
    users = [u for u in users if u is not None and u.is_active]
    Notification.objects.bulk_create(
        Notification(user=u, message=message[:500], url=url[:300]) for u in users
    )
    if email:
        text = body or message
        if url:
            text += "\n\n" + _site_link(url)
        mail([u.email for u in users if u.email], message, text)
    return len(users)


def mail(addresses: Iterable[str], subject: str, body: str) -> None:
    """E-mail each address separately (no one sees another's address), after commit.
    A mail server that is down is logged, not raised: the change itself stands."""
    addresses = sorted({a for a in addresses if a})
    if not addresses:
        return

    def send() -> None:
        for address in addresses:
            try:
                EmailMessage(subject.replace("\n", " ")[:200], body, to=[address]).send()
            except Exception:
                logger.exception("could not send %r to %s", subject, address)

    transaction.on_commit(send, robust=True)
