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
from wenyi.core.sorting import SortKeyField

Snapshot = dict[str, Any]

# bookkeeping that moves with every save: recorded (versioning reads it), never shown
HIDDEN_KEYS = frozenset({"version"})


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
        if isinstance(field, SortKeyField):
            continue  # derived from the name it sorts, which is recorded
        values[field.attname] = _plain(getattr(instance, field.attname))
    return values


def apply_values(instance: models.Model, fields, values: dict[str, Any]) -> list[str]:
    """Set the `fields` that `values` holds on `instance`; the names of those that changed
    (for `save(update_fields=…)` and the audit entry)."""
    changed = []
    for name in fields:
        if name in values and getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed.append(name)
    return changed


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
    unit=None,
) -> AuditEntry | None:
    """Write one audit entry. For updates with nothing changed, write nothing.

    The entry is filed under the unit the record belongs to (`instance.audit_unit()`,
    or `unit` for records that cannot say, such as logins), so that an office sees the
    entries of its own subtree only.
    """
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
        unit_pk=unit_of(instance, unit),
    )


def unit_of(instance: models.Model, unit=None) -> int | None:
    """The id of the unit a record belongs to, None when it belongs to none."""
    if unit is None:
        method = getattr(instance, "audit_unit", None)
        unit = method() if callable(method) else None
    return getattr(unit, "pk", None)


def backfill_units() -> int:
    """File entries written before entries carried their unit (run by `wenyi setup`)."""
    filed = 0
    pending = AuditEntry.objects.filter(unit_pk=None).select_related("content_type")
    for entry in pending.iterator(chunk_size=500):
        model = entry.content_type.model_class()
        if model is None or not hasattr(model, "audit_unit"):
            continue
        instance = model._default_manager.filter(pk=entry.object_id).first()
        unit = unit_of(instance) if instance is not None else None
        if unit is not None:
            filed += AuditEntry.objects.filter(pk=entry.pk).update(unit_pk=unit)
    return filed


def field_labels(model: type[models.Model]) -> dict[str, str]:
    """{attribute name or field name: verbose name} of a model's fields."""
    labels = {}
    for field in model._meta.get_fields():
        label = getattr(field, "verbose_name", None)
        if label is None:
            continue
        labels[field.name] = str(label)
        attname = getattr(field, "attname", None)
        if attname:
            labels[attname] = str(label)
    return labels


def _field_of(model: type[models.Model] | None, key: str):
    if model is None:
        return None
    for field in model._meta.get_fields():
        if field.name == key or getattr(field, "attname", None) == key:
            return field
    return None


def readable(field, value: Any) -> Any:
    """A recorded value as a reader knows it: a choice by its label, yes/no for flags,
    a linked record by its name, a list joined, a time in local time."""
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list | tuple):
        parts = [readable(field, v) for v in value]
        return "、".join(str(p) for p in parts if p is not None) or None
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if field is None:
        return value
    if getattr(field, "flatchoices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return _("yes") if value else _("no")
    related = getattr(field, "related_model", None)
    if related is not None and (field.many_to_one or field.one_to_one or field.many_to_many):
        found = related._default_manager.filter(pk=value).first()
        return str(found) if found is not None else _("#%(id)s (deleted)") % {"id": value}
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "Y-m-d H:i")
    return value


def change_rows(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) of an entry, for display, in words a reader knows;
    bookkeeping keys left out. A new record shows its values, a deleted one its last."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    model = entry.content_type.model_class() if entry.content_type_id else None
    labels = field_labels(model) if model is not None else {}
    rows = []
    for key, values in changes.items():
        if key in HIDDEN_KEYS:
            continue
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = values
        else:
            before, after = None, values
        field = _field_of(model, key)
        before, after = readable(field, before), readable(field, after)
        if entry.action == AuditAction.CREATE:
            before = None
        if entry.action == AuditAction.CREATE and after is None:
            continue
        rows.append((labels.get(key, key), before, after))
    return rows


def entries_for(instance: models.Model):
    """The record's history, with each actor and the person the actor is (the name the
    pages show), in one query."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("actor__person")
