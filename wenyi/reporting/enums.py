from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    UNIT_PLAN = "unit_plan", _("campaign plan")  # 活动方案, once, in July
    MONTHLY_PLAN = "monthly_plan", _("monthly work plan")  # 工作方案, start of month
    MONTHLY_PROGRESS = "monthly_progress", _("monthly progress report")  # 推进落实情况
    SUMMARY = "summary", _("summary report")  # 总结材料, mid-October


ONCE = (ReportKind.UNIT_PLAN, ReportKind.SUMMARY)
MONTHLY = (ReportKind.MONTHLY_PLAN, ReportKind.MONTHLY_PROGRESS)
PLANS = (ReportKind.UNIT_PLAN, ReportKind.MONTHLY_PLAN)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class ItemOutcome(models.TextChoices):
    DONE = "done", _("done")
    MOVED = "moved", _("moved")
    DROPPED = "dropped", _("dropped")


class ReminderType(models.TextChoices):
    BEFORE = "before", _("before the due date")
    OVERDUE = "overdue", _("overdue")
