"""Reports the units send up (R8, R9, R15): the campaign plan, monthly work plans and
progress reports, and the summary; their planned items and how each turned out."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.core.models import TimeStampedModel
from wenyi.reporting.enums import ItemOutcome, ReminderType, ReportKind, ReportStatus


class Report(TimeStampedModel):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind of report"), max_length=20, choices=ReportKind.choices)
    # the first day of the month the report is for; once-only reports use the month
    # they are due in, so (campaign, unit, kind, period) is always unique and non-null
    period = models.DateField(_("month"))
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )
    text = models.TextField(_("text"), blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    # whether the first submission came on or before the due date (Asia/Shanghai)
    on_time = models.BooleanField(_("submitted on time"), null=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    return_comment = models.TextField(_("comments on returning"), blank=True)
    # optimistic locking: every save must name the version it started from
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["period", "kind", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "kind", "period"], name="report_unique"
            )
        ]
        indexes = [models.Index(fields=["campaign", "kind", "period"])]

    def __str__(self) -> str:
        if self.kind in (ReportKind.MONTHLY_PLAN, ReportKind.MONTHLY_PROGRESS):
            return f"{self.unit} {self.period:%Y-%m} {self.get_kind_display()}"
        return f"{self.unit} {self.get_kind_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    def audit_unit(self):
        return self.unit


class PlanItem(models.Model):
    """One planned activity of a campaign plan or monthly work plan."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="items", verbose_name=_("report")
    )
    type = models.ForeignKey(
        "campaigns.ActivityType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("activity type"),
    )
    title = models.CharField(_("activity title"), max_length=200)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressLine(models.Model):
    """How one item of the month's work plan turned out, with the activities that did it."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="lines", verbose_name=_("report")
    )
    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("planned activity"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=ItemOutcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    new_date = models.DateField(_("moved to"), null=True, blank=True)
    activities = models.ManyToManyField(
        "activities.Activity", blank=True, related_name="+", verbose_name=_("activity records")
    )

    class Meta:
        verbose_name = _("progress line")
        verbose_name_plural = _("progress lines")
        ordering = ["item__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="progress_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_outcome_display()}"


class Reminder(models.Model):
    """A reminder sent for one expected report. Created before sending: the unique
    constraint is the claim, so two workers never send the same reminder twice."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind of report"), max_length=20, choices=ReportKind.choices)
    period = models.DateField(_("month"))
    reminder = models.CharField(_("kind of reminder"), max_length=10, choices=ReminderType.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "kind", "period", "reminder"], name="reminder_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.period} {self.reminder}"
