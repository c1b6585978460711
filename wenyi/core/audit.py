"""The audit log: one entry per create, change and delete of campaign data.

Service functions take a `snapshot()` before they change an object and call
`record()` afterwards; `record()` stores only the fields whose value changed.
"""

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry

Snapshot = dict[str, Any]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model | None) -> Snapshot:
    """The concrete field values of `instance` (foreign keys as ids)."""
    if instance is None or instance.pk is None:
        return {}
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in ("created_at", "updated_at", "password", "last_login"):
            continue
        values[field.attname] = _plain(getattr(instance, field.attname))
    return values


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    keys = list(dict.fromkeys([*before, *after]))
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


def record(
    actor,
    action: str,
    instance: models.Model,
    *,
    before: Snapshot | None = None,
    after: Snapshot | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry | None:
    """Write one audit entry. For updates with nothing changed, write nothing."""
    if changes is None:
        if action == AuditAction.DELETE:
            changes = diff(before or snapshot(instance), {})
        else:
            changes = diff(before or {}, after if after is not None else snapshot(instance))
    if action == AuditAction.UPDATE and not changes and not note:
        return None
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    return AuditEntry.objects.create(
        actor_id=actor_id,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        note=note,
    )


def entries_for(instance: models.Model):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("actor")
