"""Notices to people, in the app (the navbar's 通知) and by e-mail: the one way every
service tells someone about something.

`notify()` makes one in-app notice per login and e-mails the address on file:
- by default once the database transaction that caused it has committed (a rolled-back
  change tells no one), each address in its own message, a mail server that is down
  logged rather than raised (the change itself stands);
- with `connection` (the reminders' way), at once, as one message to all addresses,
  raising when it cannot be sent and before any notice is made, so the caller can give
  back what it claimed and try again later.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation

from wenyi.core.models import NoticeSetting, Notification

logger = logging.getLogger(__name__)


def site_language():
    """Compose notices in the site's language, whatever the acting user's page shows:
    they are read by others."""
    return translation.override(settings.LANGUAGE_CODE)


def address_of(user) -> str:
    """Where a login's mail goes: its e-mail, else its person's."""
    person = getattr(user, "person", None)
    return user.email or getattr(person, "email", "") or ""


def site_link(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def mails_wanted(users, kind: str) -> list:
    """The users of `users` who have not turned off e-mail for notices of `kind`."""
    off = set(
        NoticeSetting.objects.filter(
            user__in=[u.pk for u in users], kind=kind, email=False
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk not in off]


def notify(
    users: Iterable,
    subject: str,
    *,
    kind: str,
    url: str = "",
    body: str = "",
    email: bool = True,
    connection=None,
    exclude=None,
) -> int:
    """Tell each active login in `users` (but `exclude`, the one who acted): a notice of
    `kind` in the app and, with `email`, a message to its address unless they turned
    e-mail of that kind off. Returns the number of notices made."""
    users = [
        u
        for u in dict.fromkeys(users)
        if u is not None and u.is_active and (exclude is None or u.pk != exclude.pk)
    ]
    if not users:
        return 0
    mailed = mails_wanted(users, kind) if email else []
    addresses = [a for a in dict.fromkeys(address_of(u) for u in mailed) if a]
    text = body or subject
    if url and site_link(url) not in text:
        text += f"\n\n{site_link(url)}"
    if connection is not None and addresses:
        EmailMessage(_one_line(subject), text, to=addresses, connection=connection).send()
    elif addresses:
        mail(addresses, subject, text)
    Notification.objects.bulk_create(
        Notification(user=u, kind=kind, message=subject[:500], url=url[:300]) for u in users
    )
    return len(users)


def _one_line(subject: str) -> str:
    return subject.replace("\n", " ")[:200]


def mail(addresses: Iterable[str], subject: str, body: str) -> None:
    """E-mail each address separately (no one sees another's address), after commit.
    For an address that is no login's (the old address of a changed e-mail)."""
    addresses = sorted({a for a in addresses if a})
    if not addresses:
        return

    def send() -> None:
        for address in addresses:
            try:
                EmailMessage(_one_line(subject), body, to=[address]).send()
            except Exception:
                logger.exception("could not send %r to %s", subject, address)

    transaction.on_commit(send, robust=True)
