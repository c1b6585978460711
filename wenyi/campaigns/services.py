"""Every change to a campaign's own records: one function each, audited.

The campaign itself and its rules change only by loading its file (`loader`); what
people change in the app are the leading groups (R2).
"""

from typing import Any

from django.db import transaction

from wenyi.campaigns.models import LeadingGroup, LeadingGroupMember
from wenyi.core import audit, versioning
from wenyi.core.enums import AuditAction


@transaction.atomic
def save_leading_group(
    actor,
    campaign,
    unit,
    *,
    version: int | None,
    name: str,
    office_location: str,
    office_phone: str = "",
    office_email: str = "",
    members: list[dict[str, Any]],
) -> LeadingGroup:
    """Register or change a unit's leading group (R2) and replace its member list.

    `version` is the one the editor's form was opened at, None when it showed no group
    yet: if someone registered it meanwhile, that is an edit conflict too.
    """
    group = LeadingGroup.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    values = {
        "name": name,
        "office_location": office_location,
        "office_phone": office_phone,
        "office_email": office_email,
    }
    wanted = [
        {
            "name": m["name"].strip(),
            "position": m.get("position", "").strip(),
            "role": m["role"],
            "phone": m.get("phone", "").strip(),
        }
        for m in members
        if m.get("name", "").strip()
    ]
    if group is None:
        group = LeadingGroup.objects.create(campaign=campaign, unit=unit, **values)
        audit.record(actor, AuditAction.CREATE, group)
        before_members: list[dict[str, Any]] = []
    else:
        if version is None:
            raise versioning.EditConflict(group, 0)
        before = audit.snapshot(group)
        changed = audit.apply_values(group, values.keys(), values)
        before_members = _member_rows(group)
        if not changed and wanted == before_members:
            return group
        versioning.claim(group, version)
        group.save(update_fields=[*changed, "updated_at"])
        audit.record(actor, AuditAction.UPDATE, group, before=before)
    if wanted != before_members:
        group.members.all().delete()
        LeadingGroupMember.objects.bulk_create(
            LeadingGroupMember(group=group, order=i, **row) for i, row in enumerate(wanted)
        )
        audit.record(
            actor, AuditAction.UPDATE, group, changes={"members": [before_members, wanted]}
        )
    return group


def _member_rows(group: LeadingGroup) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "position": m.position, "role": m.role, "phone": m.phone}
        for m in group.members.all()
    ]
