"""The reporting part of `wenyi setup --demo`, as of mid-September 2014.

Most counties sent their campaign plan and their July and August reports, some late,
a few not at all; September's plans are partly in. The demo runs with a pretend
clock (WENYI_TODAY), so after submitting through the services the submission times
are set back to plausible 2014 moments — demo data only.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.models import Activity
from wenyi.campaigns.models import Campaign
from wenyi.campaigns.participation import reporting_units
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.reporting import deadlines, services
from wenyi.reporting.enums import ItemOutcome, ReportKind
from wenyi.reporting.models import Report

PLAN_TEXT = (
    "按照市里统一部署，结合本地实际，成立活动领导小组，明确责任分工，"
    "组织文艺工作者深入企业班组开展采风创作、培训辅导、慰问演出和展示展演活动。"
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def build(campaign: Campaign, today: datetime.date) -> int:
    """The reports of the demo's own campaign (site.demo picks it by its slug), once;
    returns how many exist."""
    if Report.objects.filter(campaign=campaign).exists():
        return Report.objects.filter(campaign=campaign).count()
    office = (
        Membership.objects.filter(role=Role.OFFICE, unit__code=campaign.owner_unit_code)
        .select_related("user")
        .first()
    )
    if office is None:
        return 0
    rng = random.Random(8)
    types = list(campaign.activity_types.all())
    with transaction.atomic():
        for index, unit in enumerate(reporting_units(campaign).order_by("path")):
            coordinator = (
                Membership.objects.filter(role=Role.COORDINATOR, unit=unit)
                .select_related("user")
                .first()
            )
            actor = coordinator.user if coordinator else office.user
            diligence = 9 - (index * 7) % 10  # 0–9: how reliably this unit reports
            for slot in deadlines.slots(campaign):
                if slot.due > today + datetime.timedelta(days=15):
                    continue
                if rng.random() * 10 > diligence + 2:
                    continue  # never sent: missing
                _one(campaign, unit, actor, office.user, slot, types, rng, today, diligence)
    return Report.objects.filter(campaign=campaign).count()


def _one(campaign, unit, actor, office_user, slot, types, rng, today, diligence):
    report = services.open_report(actor, campaign, unit, slot.kind, slot.period)
    if slot.kind in (ReportKind.UNIT_PLAN, ReportKind.MONTHLY_PLAN):
        items = [
            {
                "type": t,
                "title": f"{unit.name}{t.name}活动",
                "place": f"{unit.name}企业",
                "planned_date": slot.period + datetime.timedelta(days=rng.randint(5, 25)),
            }
            for t in rng.sample(types, k=rng.randint(2, len(types)))
        ]
        report = services.save_report(
            actor, report, version=report.version, text=PLAN_TEXT, items=items
        )
    elif slot.kind == ReportKind.MONTHLY_PROGRESS:
        plan = services.plan_for(report)
        if plan is None or not plan.items.exists():
            return
        done = Activity.objects.filter(
            campaign=campaign, unit__path__startswith=unit.path, status=ActivityStatus.VERIFIED
        )
        lines = []
        for item in plan.items.all():
            match = done.filter(type=item.type).first()
            if match and rng.random() < 0.8:
                lines.append({"item": item, "outcome": ItemOutcome.DONE, "activities": [match]})
            else:
                lines.append(
                    {
                        "item": item,
                        "outcome": ItemOutcome.MOVED,
                        "reason": "受天气影响，顺延至下月举办",
                        "new_date": slot.period + datetime.timedelta(days=40),
                    }
                )
        report = services.save_report(
            actor, report, version=report.version, text="本月计划基本完成。", lines=lines
        )
    else:
        if slot.due > today:
            return
        report = services.save_report(actor, report, version=report.version, text=PLAN_TEXT * 20)
    if slot.due > today and rng.random() < 0.5:
        return  # still a draft
    services.submit_report(actor, report)
    late = rng.random() * 10 > diligence + 4
    sent = _at(
        slot.due + datetime.timedelta(days=rng.randint(1, 6))
        if late
        else slot.due - datetime.timedelta(days=rng.randint(0, 3)),
        rng.randint(9, 17),
    )
    sent = min(sent, timezone.now())  # nothing after the demo's today
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=sent, submitted_at=sent, on_time=deadlines.is_on_time(slot.due, sent)
    )
    if slot.due + datetime.timedelta(days=7) < today and rng.random() < 0.85:
        services.approve_report(office_user, report)
