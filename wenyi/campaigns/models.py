"""A campaign and its rules, exactly as its TOML file defines them.

Nothing here is specific to one year or city: `campaigns/<slug>.toml` is loaded by
`wenyi.campaigns.loader` into these rows, and every other app reads the rules from
them. Child rows are keyed by (campaign, key) so a reload updates them in place.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.campaigns.enums import AwardSubject, GroupRole, MetricType, NoticeCount, OrganiserRole
from wenyi.core import clock, workdays
from wenyi.core.models import TimeStampedModel
from wenyi.core.versioning import Versioned


class Campaign(TimeStampedModel):
    slug = models.SlugField(_("campaign key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    level = models.CharField(_("level"), max_length=20, blank=True)
    summary = models.TextField(_("aims"), blank=True)
    # The org unit that owns the campaign, by code: units may be created after the
    # campaign file is loaded, so the link is resolved when it is needed.
    owner_unit_code = models.CharField(_("owner unit code"), max_length=40, blank=True)
    participant_depth = models.PositiveSmallIntegerField(
        _("participating levels below the owner"), default=1
    )
    # levels below the owner (1 = directly below), as the file lists them; empty: the
    # bottom level. Read through campaigns.participation, never directly.
    minimum_levels = models.JSONField(_("levels that carry the minimums"), default=list, blank=True)
    report_levels = models.JSONField(_("levels that report monthly"), default=list, blank=True)
    # reporting rules
    implementation_stage_key = models.CharField(
        _("implementation stage key"), max_length=40, blank=True
    )
    unit_plan_due = models.DateField(_("unit plan due"), null=True, blank=True)
    plan_due_day = models.PositiveSmallIntegerField(_("monthly plan due by day"), default=5)
    progress_due_days_before_month_end = models.PositiveSmallIntegerField(
        _("monthly progress due days before month end"), default=0
    )
    # a day of the month instead (the last day in shorter months); None: the rule above
    progress_due_day = models.PositiveSmallIntegerField(
        _("monthly progress due by day"), null=True, blank=True
    )
    summary_due = models.DateField(_("summary due"), null=True, blank=True)
    summary_target_chars = models.PositiveIntegerField(_("summary target length"), default=0)
    summary_tolerance_pct = models.PositiveSmallIntegerField(
        _("summary length tolerance (%)"), default=20
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind days before a due date"), default=3
    )
    # the public notice (公示) of results: how long, and how its days are counted
    notice_days = models.PositiveSmallIntegerField(_("public notice length (days)"), default=5)
    notice_count = models.CharField(
        _("public notice counted in"),
        max_length=10,
        choices=NoticeCount.choices,
        default=NoticeCount.WORKING,
    )
    # ISO dates ("2015-12-04") on which the office is closed beyond the statutory
    # holidays; they do not count as working days
    notice_closed_days = models.JSONField(
        _("office closed on (besides statutory holidays)"), default=list, blank=True
    )
    source_file = models.CharField(_("source file"), max_length=300, blank=True)
    source_sha256 = models.CharField(
        _("SHA-256 checksum of the source file"), max_length=64, blank=True
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "slug"]

    def __str__(self) -> str:
        return self.title

    def owner_unit(self):
        """The unit that owns the campaign (its office runs it), or None before the
        unit with the file's `owner_unit_code` exists."""
        from wenyi.orgs.models import OrgUnit

        if not self.owner_unit_code:
            return None
        cached = getattr(self, "_owner_unit", None)
        if cached is None or cached.code != self.owner_unit_code:
            cached = OrgUnit.objects.filter(code=self.owner_unit_code).first()
            self._owner_unit = cached
        return cached

    def audit_unit(self):
        return self.owner_unit()

    def review_stage(self):
        """The stage of the experts' review: the one after the implementation stage, in
        the file's order (推荐评审 after 推进落实 in 2014), or None."""
        stages = list(self.stages.all())
        for i, stage in enumerate(stages[:-1]):
            if stage.key == self.implementation_stage_key:
                return stages[i + 1]
        return None

    def current_stage(self, today: datetime.date | None = None):
        today = today or clock.today()
        for stage in self.stages.all():
            if stage.start <= today <= stage.end:
                return stage
        return None

    @property
    def notice_in_working_days(self) -> bool:
        return self.notice_count == NoticeCount.WORKING

    def notice_window(self, start: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The first and last day of a public notice beginning on or after `start`, by
        the campaign's rule (`[public_notice]`). Raises workdays.UnknownYear when working
        days are counted in a year the calendar does not know."""
        return workdays.window(
            start,
            self.notice_days,
            working=self.notice_in_working_days,
            closed={datetime.date.fromisoformat(day) for day in self.notice_closed_days},
        )

    @property
    def lead_organisers(self):
        return [o for o in self.organisers.all() if o.role == OrganiserRole.LEAD]

    @property
    def assisting_bodies(self):
        return [o for o in self.organisers.all() if o.role == OrganiserRole.ASSIST]


class CampaignPart(models.Model):
    """A keyed row that belongs to one campaign and is ordered as in the file."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, verbose_name=_("campaign"))
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.campaign.owner_unit()


class Organiser(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="organisers", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=10, choices=OrganiserRole.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.campaign.owner_unit()


class Contact(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.campaign.owner_unit()


class Stage(CampaignPart):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="stages", verbose_name=_("campaign")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    description = models.TextField(_("description"), blank=True)

    class Meta(CampaignPart.Meta):
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="stage_key_unique")]


class ActivityType(CampaignPart):
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="activity_types",
        verbose_name=_("campaign"),
    )
    min_per_year = models.PositiveSmallIntegerField(_("minimum per year"), default=0)
    description = models.TextField(_("description"), blank=True)
    # works are created on activities of this type (采风创作): a work names one of them
    produces_works = models.BooleanField(_("works are created on it"), default=False)

    class Meta(CampaignPart.Meta):
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="activity_type_key_unique")
        ]


class Metric(models.Model):
    activity_type = models.ForeignKey(
        ActivityType,
        on_delete=models.CASCADE,
        related_name="metrics",
        verbose_name=_("activity type"),
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit of measure"), max_length=20, blank=True)
    value_type = models.CharField(_("type"), max_length=10, choices=MetricType.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity_type", "key"], name="metric_key_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.activity_type.campaign.owner_unit()


class WorkCategory(CampaignPart):
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="work_categories",
        verbose_name=_("campaign"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("parent category"),
    )
    file_kinds = models.JSONField(_("accepted file kinds"), default=list, blank=True)
    text_min_chars = models.PositiveIntegerField(_("minimum text length"), null=True, blank=True)
    text_max_chars = models.PositiveIntegerField(_("maximum text length"), null=True, blank=True)
    max_file_mb = models.PositiveIntegerField(_("largest file (MB)"), null=True, blank=True)

    class Meta(CampaignPart.Meta):
        verbose_name = _("work category")
        verbose_name_plural = _("work categories")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="work_category_key_unique")
        ]


class AwardKind(CampaignPart):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="award_kinds", verbose_name=_("campaign")
    )
    subject = models.CharField(_("awarded to"), max_length=12, choices=AwardSubject.choices)

    class Meta(CampaignPart.Meta):
        verbose_name = _("award kind")
        verbose_name_plural = _("award kinds")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="award_kind_key_unique")
        ]


class AwardTier(models.Model):
    kind = models.ForeignKey(
        AwardKind, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("award kind")
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    max_count = models.PositiveIntegerField(_("at most"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("award tier")
        verbose_name_plural = _("award tiers")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="award_tier_key_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.kind.campaign.owner_unit()


class LeadingGroup(Versioned, TimeStampedModel):
    """The leading body a unit sets up for a campaign (R2), with its office."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="leading_groups",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.CASCADE,
        related_name="leading_groups",
        verbose_name=_("unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    office_location = models.CharField(_("office is at"), max_length=200)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    office_email = models.EmailField(_("office e-mail"), blank=True)

    class Meta:
        db_table = "orgs_leadinggroup"  # made when leading groups lived in orgs
        verbose_name = _("leading group")
        verbose_name_plural = _("leading groups")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="leading_group_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.unit


class LeadingGroupMember(models.Model):
    group = models.ForeignKey(
        LeadingGroup,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("leading group"),
    )
    person = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=200, blank=True)
    role = models.CharField(_("role in group"), max_length=10, choices=GroupRole.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        db_table = "orgs_leadinggroupmember"
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    def audit_unit(self):
        return self.group.unit
