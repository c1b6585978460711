"""A campaign's document settings (DocumentSettings): from the campaign file's
`[documents]` table, and from the office's form.

The file's table is loaded with the rest of the file (registered with the campaign
loader in DocumentsConfig.ready(), so the loader, below this app, never imports it):
the first load creates the settings, a reload with changed values updates them in place
(reported, audited, and the version moved on so a form opened before sees the change),
a reload of the same file changes nothing. A file without the table leaves the settings
as they are: the office may have written them in the application.

The office changes them with `save_settings`: one service, audited, refused over a save
made after its form was opened (core.versioning). Both ways check the body template's
placeholders (documents.commendation.template_problems) and the layout's grid
(core.docx.layout_problems), naming the field.
"""

from __future__ import annotations

import decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from wenyi.campaigns.campaign_file import DOCUMENTS, LAYOUT, CampaignFileError, Item
from wenyi.campaigns.loader import Deletion, Writer
from wenyi.campaigns.models import Campaign
from wenyi.core import audit, versioning
from wenyi.core.docx import Profile, layout_problems
from wenyi.core.enums import AuditAction
from wenyi.documents.models import DocumentSettings

SECTION = "documents"
# the settings' own fields, as the file and the form name them (the model's names too)
FIELDS = tuple(spec.name for spec in DOCUMENTS)


def _plain_number(value: Any) -> Any:
    """A layout value as JSON keeps it: a whole number as int, a decimal as float."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def layout_values(layout: Item | dict[str, Any] | None) -> dict[str, Any]:
    """The layout overrides given (the file's `[documents.layout]` or the form's
    fields), as DocumentSettings.layout keeps them: only the values that differ from
    GB/T 9704."""
    given = {
        spec.name: _plain_number(layout[spec.name])
        for spec in LAYOUT
        if layout and layout.get(spec.name) not in (None, "")
    }
    return Profile.from_layout(given).overrides()


def profile_for(settings: DocumentSettings | None) -> Profile:
    """The layout of a campaign's documents: GB/T 9704 with the office's overrides."""
    if settings is None:
        return Profile()
    try:
        return Profile.from_layout(settings.layout)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("The layout names settings that do not exist: %(names)s") % {"names": error}
        ) from error


def problems(values: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with settings `values` beyond each field's own bounds, by field:
    the body template's placeholders, the layout's grid (layout fields by name)."""
    from wenyi.documents.commendation import template_problems

    found: dict[str, list[str]] = {}
    body = template_problems(values.get("commendation_body") or "")
    if body:
        found["commendation_body"] = body
    layout = values.get("layout") or {}
    try:
        profile = Profile.from_layout(layout)
    except (TypeError, ValueError) as error:
        found.setdefault("layout", []).append(
            _("The layout names settings that do not exist: %(names)s") % {"names": error}
        )
    else:
        for field, message in layout_problems(profile):
            found.setdefault(field, []).append(message)
    return found


# --- the campaign file ---------------------------------------------------------------


def file_values(item: Item) -> dict[str, Any]:
    """A checked `[documents]` table's values by model attribute."""
    values = {spec.model_attr: item[spec.name] for spec in DOCUMENTS}
    values["layout"] = layout_values(item.get("layout"))
    return values


def sync_settings(
    w: Writer, campaign: Campaign, item: Item | None
) -> tuple[list[Deletion], list[str]]:
    """Create or update the campaign's settings from the file's `[documents]`. Raises
    CampaignFileError (the load rolls back) when the body template names an unknown
    placeholder. Nothing is ever deleted."""
    if not item:
        return [], []
    values = file_values(item)
    with translation.override("zh-hans"):
        found = problems(values)
    if found:
        file = Path(campaign.source_file).name if campaign.source_file else "campaign"
        lines = []
        for field, messages in found.items():
            if field in ("commendation_body", "layout"):
                path = f"documents.{field}"
            else:
                path = f"documents.layout.{field}"
            lines += [f"{file}: {path}: {message}" for message in messages]
        raise CampaignFileError(lines)
    current = DocumentSettings.objects.filter(campaign=campaign).first()
    before = len(w.changes)
    settings = w.upsert(
        DocumentSettings,
        current,
        values,
        label=SECTION,
        fixed={"campaign": campaign},
        names={"layout": "documents.layout"},
    )
    if current is not None and len(w.changes) > before:
        # an office form opened on the settings before the reload must see the change
        versioning.bump(DocumentSettings, settings.pk)
    return [], []


# --- the office's form ------------------------------------------------------------------


@transaction.atomic
def save_settings(
    actor, campaign: Campaign, *, version: int | None, values: dict[str, Any]
) -> DocumentSettings:
    """Create or change the campaign's document settings (`values` by field name, the
    layout as a dict of overrides). Refused, naming the field, when the body names an
    unknown placeholder or the layout's grid does not work; refused over a save made
    after `version` (EditConflict)."""
    unknown = set(values) - {*FIELDS, "layout"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    found = problems(values)
    if found:
        raise ValidationError(found)
    current = (
        DocumentSettings.objects.select_for_update(of=("self",)).filter(campaign=campaign).first()
    )
    if current is None:
        settings = DocumentSettings(campaign=campaign, **values)
        try:
            with transaction.atomic():
                settings.save()
        except IntegrityError:  # a colleague created them at the same moment
            raise ValidationError(
                _("Someone saved the settings at the same moment; reload the page.")
            ) from None
        audit.record(actor, AuditAction.CREATE, settings, after=audit.snapshot(settings))
        return settings
    before = audit.snapshot(current)
    changed = audit.apply_values(current, [*FIELDS, "layout"], values)
    if not changed:
        return current
    versioning.claim(current, version)
    current.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        current,
        changes=audit.diff(before, audit.snapshot(current)),
    )
    return current
