"""Optimistic locking: every edit form carries the version it started from.

A versioned record (`Versioned`) holds a counter that every saved edit and every status
move increments. An edit names the version its form was opened at; the service claims
the row with one conditional `UPDATE … SET version = version + 1 WHERE version = N`,
so of two editors who opened the same version exactly one wins, on SQLite and
PostgreSQL alike. The loser gets `EditConflict`: who changed the record since, when,
and which fields — read from the audit log, whose entries carry the version move —
and the view shows the form again with the loser's input and the current version,
so that saving once more is a deliberate choice.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.core import audit


class Versioned(models.Model):
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True


class EditConflict(ValidationError):
    """Someone saved the record after the editor opened it (a ValidationError, so every
    form view that shows a service's refusal shows this one too)."""

    def __init__(self, instance: models.Model, since: int):
        self.instance = instance
        self.current_version = instance.version
        self.changes = changes_since(instance, since)
        who = "、".join(dict.fromkeys(c["who"] for c in self.changes)) or _("someone")
        fields = "、".join(dict.fromkeys(f for c in self.changes for f in c["fields"]))
        when = self.changes[0]["when"] if self.changes else timezone.localtime()
        if fields:
            text = _(
                "%(who)s changed %(fields)s at %(when)s, after you opened this page. Your "
                "input is kept below; check it against the change and save again to "
                "replace it, or leave the page to keep it."
            ) % {"who": who, "fields": fields, "when": f"{when:%Y-%m-%d %H:%M}"}
        else:
            text = _(
                "%(who)s changed this record at %(when)s, after you opened this page. Your "
                "input is kept below; check it and save again to replace the change."
            ) % {"who": who, "when": f"{when:%Y-%m-%d %H:%M}"}
        super().__init__(text, code="edit_conflict")


def _who(actor) -> str:
    if actor is None:
        return _("the system")
    person = getattr(actor, "person", None)
    return getattr(person, "name", "") or actor.get_username()


def changes_since(instance: models.Model, version: int) -> list[dict[str, Any]]:
    """What was saved after `version`, newest first: [{who, when, fields}], from the
    audit entries that moved the version on."""
    labels = audit.field_labels(type(instance))
    found = []
    for entry in audit.entries_for(instance)[:50]:
        moved = entry.changes.get("version")
        if not (isinstance(moved, list) and len(moved) == 2 and isinstance(moved[1], int)):
            continue
        if (moved[0] or 0) < version:  # [None, 1]: created
            break
        fields = [labels.get(k, k) for k in entry.changes if k not in audit.HIDDEN_KEYS]
        found.append(
            {"who": _who(entry.actor), "when": timezone.localtime(entry.at), "fields": fields}
        )
    return found


def claim(instance: models.Model, version: int | None) -> None:
    """Inside the service's transaction, before it saves: move the stored row from
    `version` to the next one, or raise EditConflict. `instance.version` follows."""
    model = type(instance)
    if version is None:
        raise ValidationError(_("The form is missing its version; reload the page."))
    moved = model._default_manager.filter(pk=instance.pk, version=version).update(
        version=F("version") + 1
    )
    if not moved:
        current = model._default_manager.get(pk=instance.pk)
        raise EditConflict(current, version)
    instance.version = version + 1


def bump(model: type[models.Model], pk: Any) -> None:
    """Move the version on without a check (a status move, a file added): an editor who
    opened the record before must see the change first."""
    model._default_manager.filter(pk=pk).update(version=F("version") + 1)


def show_refusal(form, exc: ValidationError) -> None:
    """A service's refusal on the form that was sent: its messages at the top, the input
    kept; after an edit conflict, with the current version, so that saving again is a
    deliberate overwrite, not a lost update. A refusal naming fields shows each message
    on its field where the form has one."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    else:
        form.add_error(None, exc)
    if isinstance(exc, EditConflict):
        data = form.data.copy()
        data[form.add_prefix("version")] = str(exc.current_version)
        form.data = data
