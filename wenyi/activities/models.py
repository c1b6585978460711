"""Activities the units carry out (R3–R6), their metric values and evidence files.

`Tally` rows hold the verified counts and metric totals per unit and type, and
`MonthTally` rows the same per unit, type and month of the activity's start date. Only
the services that move an activity into or out of "verified" change them (both, in the
same transaction), so the quota matrix and the dashboards read a few hundred or
thousand rows however many activities there are. `wenyi rebuild-tallies` recounts both
from the activities.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.activities.enums import ActivityStatus, EvidenceKind
from wenyi.core.models import TimeStampedModel
from wenyi.core.uploads import StoredFile, stored_file_path
from wenyi.core.versioning import Versioned


class Activity(Versioned, TimeStampedModel):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    type = models.ForeignKey(
        "campaigns.ActivityType",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("activity type"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("organising unit"),
    )
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, help_text=_("Enterprise or workplace"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    participants = models.ManyToManyField(
        "orgs.Person",
        blank=True,
        related_name="activities",
        verbose_name=_("participating art workers"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # one token per form: a second click or a retry with the same token returns the
    # record the first one created instead of making another
    token = models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)
    # unit, type, date and place, normalised: the same activity entered twice
    duplicate_key = models.CharField(
        _("duplicate check key"), max_length=300, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["campaign", "unit", "type", "status"]),
            models.Index(fields=["campaign", "status", "start_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.unit

    @property
    def is_locked(self) -> bool:
        return self.status == ActivityStatus.VERIFIED

    @property
    def is_editable(self) -> bool:
        return self.status in (ActivityStatus.DRAFT, ActivityStatus.RETURNED)


class MetricValue(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="values", verbose_name=_("activity")
    )
    metric = models.ForeignKey(
        "campaigns.Metric",
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("metric"),
    )
    number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        constraints = [
            models.UniqueConstraint(fields=["activity", "metric"], name="metric_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.display}"

    def audit_unit(self):
        return self.activity.unit

    @property
    def display(self) -> str:
        if self.number is not None:
            return f"{self.number.normalize():f}"
        return self.text


# named by the first migrations; new files get core.uploads.stored_file_path
evidence_path = stored_file_path


class Evidence(StoredFile):
    """A photo, PDF or video of an activity (a `core.uploads.StoredFile`), or a link."""

    upload_folder, upload_owner = "evidence", "activity_id"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("activity")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    url = models.URLField(_("link"), blank=True, max_length=500)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or self.url

    def audit_unit(self):
        return self.activity.unit


class Tally(models.Model):
    """Verified activities of one unit (not its subtree) and type, maintained by services."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    type = models.ForeignKey(
        "campaigns.ActivityType",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("activity type"),
    )
    verified = models.PositiveIntegerField(_("verified activities"), default=0)
    # {metric key: total} of the verified activities' numeric metrics
    totals = models.JSONField(_("metric totals"), default=dict)

    class Meta:
        verbose_name = _("verified count")
        verbose_name_plural = _("verified counts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "type"], name="tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.type_id}: {self.verified}"


def month_of(day: datetime.date) -> datetime.date:
    """The first day of the month of `day`: the `MonthTally.month` an activity counts in."""
    return day.replace(day=1)


class MonthTally(models.Model):
    """Verified activities of one unit (not its subtree) and type that started in one
    month (`month`: its first day), maintained with `Tally` by the same services."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    type = models.ForeignKey(
        "campaigns.ActivityType",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("activity type"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    verified = models.PositiveIntegerField(_("verified activities"), default=0)
    # {metric key: total} of the verified activities' numeric metrics
    totals = models.JSONField(_("metric totals"), default=dict)

    class Meta:
        verbose_name = _("verified count per month")
        verbose_name_plural = _("verified counts per month")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "type", "month"], name="month_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.type_id}/{self.month:%Y-%m}: {self.verified}"
