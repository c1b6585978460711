"""The one way a record's status moves: a conditional UPDATE and an audit entry.

`UPDATE … WHERE status IN (allowed)` moves the row only if it is still in a state the
action starts from, so a second click, a retry or a colleague's action in between
moves nothing and the caller gets a message saying what the state is now.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyi.core import audit
from wenyi.core.enums import AuditAction


def move_status(
    actor,
    instance: models.Model,
    allowed: Iterable[str],
    to: str,
    *,
    refused: str,
    note: str = "",
    **extra: Any,
) -> models.Model:
    """Set `status` to `to` if it is one of `allowed`; else ValidationError(`refused`),
    which is formatted with the current status label as %(status)s."""
    model = type(instance)
    old = instance.status
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)
    if versioned:
        # an editor who opened the record before the move must see it first
        extra["version"] = F("version") + 1
    moved = model._default_manager.filter(pk=instance.pk, status__in=list(allowed)).update(
        status=to, updated_at=timezone.now(), **extra
    )
    instance.refresh_from_db()
    if not moved:
        raise ValidationError(refused % {"status": instance.get_status_display()})
    changes: dict[str, list] = {"status": [old, to]}
    if versioned:
        changes["version"] = [instance.version - 1, instance.version]
    audit.record(actor, AuditAction.TRANSITION, instance, changes=changes, note=note)
    return instance


def refuse_own_submission(actor, instance: models.Model) -> None:
    """Two people per decision (DESIGN.md): nobody verifies, approves, returns or decides
    on what they submitted themselves."""
    submitted_by = getattr(instance, "submitted_by_id", None)
    if submitted_by is not None and submitted_by == getattr(actor, "pk", None):
        raise ValidationError(
            _("You submitted this yourself: someone else at the level above decides on it.")
        )
