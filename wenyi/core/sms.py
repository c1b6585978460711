"""Text messages to phones (短信), through a pluggable backend like Django's e-mail.

Union offices often run wenyi on a closed network without an SMS gateway, so sending is
one call, `send_sms(number, text)`, to the backend named by the setting
`WENYI_SMS_BACKEND` (env `WENYI_SMS_BACKEND`, a dotted path, like EMAIL_BACKEND):

- `wenyi.core.sms.LogBackend` (the default): writes each message to the log (logger
  ``wenyi.sms``, at INFO, which `wenyi serve` prints), for development and for an office
  that reads codes out by hand. Nothing leaves the machine.
- `wenyi.core.sms.LocmemBackend`: keeps the messages in `sms.outbox` (a list of
  `Message`), for tests: a test reads the code it was sent from there.

A real gateway plugs in as a class with one method, `send(self, number, text)`, that
delivers the message or raises `SmsError` (or any exception: the caller treats the
message as not sent). Its own settings (an address, a key, a signature) are read from
Django settings or the environment by the class itself. An HTTP gateway, for example::

    # mysite/sms.py, with WENYI_SMS_BACKEND=mysite.sms.GatewayBackend
    import requests
    from django.conf import settings
    from wenyi.core.sms import SmsError

    class GatewayBackend:
        def send(self, number: str, text: str) -> None:
            reply = requests.post(
                settings.SMS_GATEWAY_URL,
                json={"to": number, "text": text, "key": settings.SMS_GATEWAY_KEY},
                timeout=10,
            )
            if reply.status_code != 200:
                raise SmsError(f"gateway answered {reply.status_code}")

A backend is looked up on every message (so a test's setting applies at once); a path
that does not import is an error of Django's system checks (`check_backend`, run by
`wenyi check` and the commands that check), naming the variable, and refuses every
message the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger("wenyi.sms")

DEFAULT_BACKEND = "wenyi.core.sms.LogBackend"


class SmsError(Exception):
    """A message the backend could not deliver."""


@dataclass(frozen=True)
class Message:
    number: str
    text: str


# LocmemBackend's messages, oldest first (tests empty it)
outbox: list[Message] = []


class LogBackend:
    """Writes each message to the log (logger ``wenyi.sms``): development, or an office
    without a gateway."""

    def send(self, number: str, text: str) -> None:
        logger.info("SMS to %s: %s", number, text)


class LocmemBackend:
    """Keeps each message in `wenyi.core.sms.outbox` (tests)."""

    def send(self, number: str, text: str) -> None:
        outbox.append(Message(number, text))


def backend_path() -> str:
    return getattr(settings, "WENYI_SMS_BACKEND", "") or DEFAULT_BACKEND


def get_backend():
    """An instance of the configured backend; ImproperlyConfigured naming the variable
    when its path does not import."""
    path = backend_path()
    try:
        return import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"WENYI_SMS_BACKEND: cannot import {path!r} ({exc})") from exc


def send_sms(number: str, text: str) -> None:
    """Send `text` to `number` through the configured backend; SmsError when it fails."""
    backend = get_backend()
    try:
        backend.send(number, text)
    except SmsError:
        raise
    except Exception as exc:  # a gateway's own errors: the message was not sent
        logger.exception("SMS to %s not sent", number)
        raise SmsError(str(exc)) from exc


@checks.register(checks.Tags.compatibility)
def check_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A WENYI_SMS_BACKEND that does not import is an error at start-up."""
    try:
        get_backend()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="wenyi.E010")]
    return []
