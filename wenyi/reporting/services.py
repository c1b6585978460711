"""Every change to a report: one function each, audited.

draft → submitted → approved, or submitted → returned (with comments) → submitted again.
Approval locks the report; the office unlocks it with a reason. Saving names the
version the editor started from: when someone else saved in between, the save is
refused with who and when (`ReportConflict`), and nothing of theirs is overwritten.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.activities.models import Activity
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.core import audit, clock, notify
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.transitions import move_status, refuse_own_submission
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import checkers_for, coordinators_for
from wenyi.reporting import deadlines
from wenyi.reporting.enums import PLANS, ItemOutcome, ReportKind, ReportStatus
from wenyi.reporting.models import PlanItem, ProgressLine, Report


class ReportConflict(Exception):
    """Someone saved the report after the editor opened it."""

    def __init__(self, report: Report):
        self.report = report
        who = report.updated_by
        name = getattr(getattr(who, "person", None), "name", None) or getattr(who, "username", "")
        self.who = name or _("someone")
        self.when = timezone.localtime(report.updated_at)
        super().__init__(
            _(
                "%(who)s changed this report at %(when)s, after you opened it. Your text is "
                "kept below: copy what you need, reload the page and make your changes again."
            )
            % {"who": self.who, "when": self.when.strftime("%Y-%m-%d %H:%M")}
        )


def open_report(
    actor, campaign: Campaign, unit: OrgUnit, kind: str, period: datetime.date
) -> Report:
    """The unit's report for this slot, created as an empty draft the first time."""
    slot = deadlines.slot_for(campaign, kind, period)
    if slot is None:
        raise ValidationError(_("The campaign asks for no such report."))
    report, created = Report.objects.get_or_create(
        campaign=campaign,
        unit=unit,
        kind=kind,
        period=slot.period,
        defaults={"due": slot.due, "updated_by": actor if getattr(actor, "pk", None) else None},
    )
    if created:
        audit.record(actor, AuditAction.CREATE, report)
    return report


def _check_editable(report: Report) -> None:
    if not report.is_editable:
        raise ValidationError(
            _("This report is %(status)s and can no longer be changed.")
            % {"status": report.get_status_display()}
        )


@transaction.atomic
def save_report(
    actor,
    report: Report,
    *,
    version: int,
    text: str | None = None,
    items: Iterable[dict[str, Any]] | None = None,
    lines: Iterable[dict[str, Any]] | None = None,
) -> Report:
    """Save text, planned items (plans) or progress lines (progress reports).

    items: dicts with type (ActivityType), title, planned_date, place.
    lines: dicts with item (PlanItem of the month's plan), outcome, reason, new_date,
    activities (Activity list).
    """
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.version != version:
        raise ReportConflict(current)
    _check_editable(current)
    changes: dict[str, list] = {}
    if text is not None and text != current.text:
        changes["text"] = [current.text, text]
        current.text = text
    if items is not None:
        if current.kind not in PLANS:
            raise ValidationError(_("Only plans have planned activities."))
        changes.update(_replace_items(current, list(items)))
    if lines is not None:
        if current.kind != ReportKind.MONTHLY_PROGRESS:
            raise ValidationError(_("Only progress reports report on planned activities."))
        changes.update(_replace_lines(current, list(lines)))
    # the version moves with every save, even one that changed nothing visible: the
    # next editor must start from what is stored now
    current.version = F("version") + 1
    current.updated_by = actor if getattr(actor, "pk", None) else None
    current.save(update_fields=["text", "version", "updated_by", "updated_at"])
    current.refresh_from_db()
    if changes:
        audit.record(actor, AuditAction.UPDATE, current, changes=changes)
    return current


def _replace_items(report: Report, items: list[dict[str, Any]]) -> dict[str, list]:
    before = [(i.type_id, i.title, i.planned_date, i.place) for i in report.items.all()]
    after = [
        (i["type"].pk, i["title"].strip(), i.get("planned_date"), i.get("place", "").strip())
        for i in items
        if i.get("title", "").strip()
    ]
    if before == after:
        return {}
    for type_id, *_rest in after:
        if not ActivityType.objects.filter(pk=type_id, campaign_id=report.campaign_id).exists():
            raise ValidationError(_("Activity type: not part of this campaign."))
    # keep the rows that stay (progress lines point at them); replace the rest
    existing = list(report.items.all())
    for position, (type_id, title, planned, place) in enumerate(after):
        if position < len(existing):
            row = existing[position]
            row.type_id, row.title, row.planned_date, row.place = type_id, title, planned, place
            row.position = position
            row.save()
        else:
            PlanItem.objects.create(
                report=report,
                type_id=type_id,
                title=title,
                planned_date=planned,
                place=place,
                position=position,
            )
    for row in existing[len(after) :]:
        row.delete()
    return {"items": [[_plain(r) for r in before], [_plain(r) for r in after]]}


def _plain(row: tuple) -> list:
    return [v.isoformat() if isinstance(v, datetime.date) else v for v in row]


def plan_for(report: Report) -> Report | None:
    """The monthly work plan a progress report reports on."""
    return Report.objects.filter(
        campaign_id=report.campaign_id,
        unit_id=report.unit_id,
        kind=ReportKind.MONTHLY_PLAN,
        period=report.period,
    ).first()


def _replace_lines(report: Report, lines: list[dict[str, Any]]) -> dict[str, list]:
    plan = plan_for(report)
    allowed = set(plan.items.values_list("pk", flat=True)) if plan else set()
    unit_path = report.unit.path
    before = {
        line.item_id: (
            line.outcome,
            line.reason,
            line.new_date,
            sorted(a.pk for a in line.activities.all()),
        )
        for line in report.lines.prefetch_related("activities")
    }
    after = {}
    for line in lines:
        item = line["item"]
        if item.pk not in allowed:
            raise ValidationError(_("Planned activity: not part of this month's work plan."))
        if line["outcome"] not in ItemOutcome.values:
            raise ValidationError(_("Outcome: choose done, moved or dropped."))
        if line["outcome"] != ItemOutcome.DONE and not line.get("reason", "").strip():
            raise ValidationError(
                _("%(item)s: say why it was moved or dropped.") % {"item": item.title}
            )
        activities = list(line.get("activities") or [])
        for activity in activities:
            if activity.campaign_id != report.campaign_id or not activity.unit.path.startswith(
                unit_path
            ):
                raise ValidationError(
                    _("%(item)s: the activity record is not one of this unit's.")
                    % {"item": item.title}
                )
        after[item.pk] = (
            line["outcome"],
            line.get("reason", "").strip(),
            line.get("new_date"),
            sorted(a.pk for a in activities),
        )
    if before == after:
        return {}
    report.lines.exclude(item_id__in=after).delete()
    for item_id, (outcome, reason, new_date, activity_ids) in after.items():
        row, _created = ProgressLine.objects.update_or_create(
            report=report,
            item_id=item_id,
            defaults={"outcome": outcome, "reason": reason, "new_date": new_date},
        )
        row.activities.set(Activity.objects.filter(pk__in=activity_ids))
    as_list = lambda d: {str(k): _plain(v[:3]) + [v[3]] for k, v in d.items()}  # noqa: E731
    return {"lines": [as_list(before), as_list(after)]}


def _transition(
    actor, report: Report, allowed: list[str], to: str, *, note: str = "", **extra: Any
) -> Report:
    # every move also moves the version (move_status does it): an editor who opened the
    # report before it was submitted or returned must not save over the new state
    return move_status(
        actor,
        report,
        allowed,
        to,
        note=note,
        refused=_("This report is now %(status)s; the action was not carried out."),
        updated_by=actor if getattr(actor, "pk", None) else None,
        **extra,
    )


@transaction.atomic
def _concerned(report: Report) -> list:
    """Who hears of a decision on a report: who submitted it and the coordinators who
    look after its unit."""
    return [u for u in (report.submitted_by, *coordinators_for(report.unit)) if u is not None]


def _tell(users, actor, kind: str, message: str, report: Report, **values) -> None:
    with notify.site_language():
        text = _(message) % {"report": str(report), **values}
    notify.notify(
        users,
        text,
        kind=kind,
        url=reverse("reporting:detail", args=[report.pk]),
        exclude=actor,
    )


@transaction.atomic
def submit_report(actor, report: Report) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.kind in PLANS and not report.items.exists():
        raise ValidationError(_("Add at least one planned activity before submitting."))
    if report.kind == ReportKind.MONTHLY_PROGRESS:
        plan = plan_for(report)
        missing = plan.items.exclude(progress__report=report).count() if plan else 0
        if missing:
            raise ValidationError(
                _("Say how each planned activity turned out: %(n)s not yet.") % {"n": missing}
            )
    if report.kind == ReportKind.SUMMARY and not report.text.strip():
        raise ValidationError(_("Write the summary before submitting."))
    now = clock.now()
    extra: dict[str, Any] = {
        "submitted_at": now,
        "submitted_by": actor if getattr(actor, "pk", None) else None,
        "return_comment": "",
    }
    if report.first_submitted_at is None:
        # timeliness is judged on the first submission; a return and resubmission
        # does not make a report late
        extra["first_submitted_at"] = now
        extra["on_time"] = deadlines.is_on_time(report.due, now)
    report = _transition(
        actor, report, [ReportStatus.DRAFT, ReportStatus.RETURNED], ReportStatus.SUBMITTED, **extra
    )
    _tell(
        checkers_for(report.unit),
        actor,
        NoticeKind.WAITING,
        gettext_noop("To approve: %(report)s was submitted."),
        report,
    )
    return report


@transaction.atomic
def return_report(actor, report: Report, comment: str) -> Report:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Comments: say what needs changing."))
    refuse_own_submission(actor, report)
    report = _transition(
        actor,
        report,
        [ReportStatus.SUBMITTED],
        ReportStatus.RETURNED,
        note=comment,
        return_comment=comment,
    )
    _tell(
        _concerned(report),
        actor,
        NoticeKind.RETURNED,
        gettext_noop("%(report)s was returned: %(comment)s"),
        report,
        comment=comment,
    )
    return report


@transaction.atomic
def approve_report(actor, report: Report) -> Report:
    refuse_own_submission(actor, report)
    report = _transition(
        actor,
        report,
        [ReportStatus.SUBMITTED],
        ReportStatus.APPROVED,
        approved_at=timezone.now(),
        approved_by=actor,
    )
    _tell(
        _concerned(report),
        actor,
        NoticeKind.APPROVED,
        gettext_noop("%(report)s was approved."),
        report,
    )
    return report


@transaction.atomic
def unlock_report(actor, report: Report, reason: str) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Reason: say why the report is unlocked."))
    report = _transition(
        actor,
        report,
        [ReportStatus.APPROVED],
        ReportStatus.RETURNED,
        note=reason,
        return_comment=reason,
        approved_at=None,
        approved_by=None,
    )
    _tell(
        _concerned(report),
        actor,
        NoticeKind.RETURNED,
        gettext_noop("%(report)s was unlocked and returned: %(comment)s"),
        report,
        comment=reason,
    )
    return report
