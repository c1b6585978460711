"""A campaign's results (R11): the award lines drawn from the review's approved tiers,
their public notice (公示) with its window, and the objections (异议) raised in it.

Every change goes through wenyi.awards.services (audited, with notices); who may do what
is in wenyi.awards.rules. An objector's identity (name, unit, contact, seal, evidence)
is for the office only: public pages show an objection by its reference number, the
result it concerns, its state and the decision.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wenyi.awards.enums import (
    AwardStatus,
    ObjectionFileKind,
    ObjectionStatus,
    ObjectorKind,
    ResultsStatus,
)
from wenyi.core.models import TimeStampedModel, actor_field
from wenyi.core.uploads import StoredFile
from wenyi.core.versioning import Versioned


class Results(Versioned, TimeStampedModel):
    """The campaign's results as one list: drawn from the review's approved tierings,
    approved by the office (provisional), put on public notice, declared final once
    every objection is decided."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("campaign"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ResultsStatus.choices, default=ResultsStatus.DRAFT
    )
    drawn_at = models.DateTimeField(_("drawn up at"), null=True, blank=True)
    drawn_by = actor_field(_("drawn up by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = actor_field(_("approved by"))
    final_at = models.DateTimeField(_("declared final at"), null=True, blank=True)
    final_by = actor_field(_("declared final by"))

    class Meta:
        verbose_name = _("results")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return str(self.campaign)

    def audit_unit(self):
        return self.campaign.owner_unit()


class Award(models.Model):
    """One line of the results: an award kind, its tier (none for kinds without tiers),
    and who or what won it — a work, a unit or a person — with the names as they will
    be printed (`holder`, `unit_name`, `title`) taken when the line was drawn."""

    results = models.ForeignKey(
        Results, on_delete=models.CASCADE, related_name="awards", verbose_name=_("results")
    )
    award_kind = models.ForeignKey(
        "campaigns.AwardKind",
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("award kind"),
    )
    tier = models.ForeignKey(
        "campaigns.AwardTier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("tier"),
    )
    placement = models.ForeignKey(
        "review.Placement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards",
        verbose_name=_("placement in the review"),
    )
    work = models.ForeignKey(
        "works.Work",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("work"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("unit"),
    )
    person = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("person"),
    )
    # as printed in the results, the decision and the certificate
    holder = models.CharField(_("awarded to"), max_length=200)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    title = models.CharField(_("title of the work"), max_length=200, blank=True)
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=3, null=True, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.STANDING
    )
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["award_kind__position", "tier__position", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(work__isnull=False, unit__isnull=True, person__isnull=True)
                    | Q(work__isnull=True, unit__isnull=False, person__isnull=True)
                    | Q(work__isnull=True, unit__isnull=True, person__isnull=False)
                ),
                name="award_one_subject",
            )
        ]

    def __str__(self) -> str:
        tier = f" {self.tier}" if self.tier_id else ""
        return f"{self.award_kind}{tier}: {self.title or self.holder}"

    def audit_unit(self):
        return self.results.campaign.owner_unit()

    @property
    def subject(self):
        return self.work or self.unit or self.person

    @property
    def standing(self) -> bool:
        return self.status == AwardStatus.STANDING


class PublicNotice(TimeStampedModel):
    """A public notice (公示) of the provisional results: published on the public pages
    with its text, open to objections from `starts_on` to `ends_on` inclusive (the
    campaign's window: working or calendar days). A second notice follows when an
    upheld objection changes the results and the office notices them again."""

    results = models.ForeignKey(
        Results, on_delete=models.CASCADE, related_name="notices", verbose_name=_("results")
    )
    number = models.PositiveSmallIntegerField(_("notice number"), default=1)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text of the notice"))
    starts_on = models.DateField(_("objections from"))
    ends_on = models.DateField(_("objections until"))
    published_at = models.DateTimeField(_("published at"))
    published_by = actor_field(_("published by"))

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["results", "number"]
        constraints = [
            models.UniqueConstraint(fields=["results", "number"], name="public_notice_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="public_notice_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.results.campaign.owner_unit()

    def is_open(self, today) -> bool:
        return self.starts_on <= today <= self.ends_on


class Objection(TimeStampedModel):
    """An objection (异议) to one result, raised through the public form during a notice.
    The objector's name, unit, contact, seal and evidence are seen by the office only;
    the public sees the reference, the result, the state and the decision."""

    notice = models.ForeignKey(
        PublicNotice,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("public notice"),
    )
    award = models.ForeignKey(
        Award,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("result objected to"),
    )
    # given to the objector on receipt; the public outcome is listed under it
    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    objector_kind = models.CharField(_("raised by"), max_length=10, choices=ObjectorKind.choices)
    name = models.CharField(_("real name"), max_length=100)
    unit_name = models.CharField(_("name of the unit"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=40)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    grounds = models.TextField(_("grounds"))
    # the public form's one-time token: sending the same form again (a second click, a
    # retry after a lost answer) finds this objection instead of raising another
    form_token = models.CharField(_("form token"), max_length=64, blank=True, editable=False)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.RECEIVED,
    )
    investigation_note = models.TextField(_("investigation note"), blank=True)
    investigated_at = models.DateTimeField(_("investigation started at"), null=True, blank=True)
    investigated_by = actor_field(_("investigated by"))
    decision = models.TextField(_("written decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = actor_field(_("decided by"))

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["notice_id", "received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_token"], condition=~Q(form_token=""), name="objection_form_token"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def audit_unit(self):
        return self.notice.results.campaign.owner_unit()


class ObjectionFile(StoredFile):
    """A file sent with an objection: the scan of a unit's seal, or evidence."""

    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="files", verbose_name=_("objection")
    )
    kind = models.CharField(_("kind of file"), max_length=10, choices=ObjectionFileKind.choices)

    upload_folder = "objections"
    upload_owner = "objection_id"

    class Meta:
        verbose_name = _("file of an objection")
        verbose_name_plural = _("files of objections")
        ordering = ["objection_id", "kind", "id"]

    def __str__(self) -> str:
        return self.original_name

    def audit_unit(self):
        return self.objection.audit_unit()
