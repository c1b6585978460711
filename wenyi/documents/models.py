"""Documents the system generates (R11, R12): the commendation decision (表彰决定) and
the campaign's own notice after GB/T 9704-2012, certificates (荣誉证书) with the codes
anyone can verify, and the archive that keeps every version of every file made.

`DocumentSettings` holds what the campaign file's `[documents]` table says (issuer,
document code and number, addressees, copies, the body template) and what the office
changed in the application; generating a document reads it and the final results
(wenyi.awards), lays the document out (wenyi.core.docx, wenyi.core.typst) and stores
the file as a new `Document` version.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wenyi.core.models import TimeStampedModel, actor_field
from wenyi.core.versioning import Versioned
from wenyi.documents.enums import RUNNING, DocumentFormat, DocumentKind, JobStatus


def document_path(instance: "Document", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else instance.format
    return (
        f"documents/{instance.campaign_id}/{instance.kind}/"
        f"{instance.variant or 'all'}-v{instance.version}-{instance.sha256[:12]}.{ext}"
    )


class DocumentSettings(Versioned, TimeStampedModel):
    """How the campaign's documents are headed, numbered, addressed and worded: from the
    campaign file's `[documents]`, edited by the office (each edit names the version its
    form was opened at). `layout` overrides the GB/T 9704 profile (margins, fonts,
    sizes) with an organisation's house rules."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="document_settings",
        verbose_name=_("campaign"),
    )
    issuer_mark = models.CharField(
        _("issuer mark"),
        max_length=100,
        help_text=_("The red name at the top, e.g. 临沂市总工会文件."),
    )
    issuer = models.CharField(
        _("issuer"), max_length=200, help_text=_("The name signed above the date.")
    )
    code = models.CharField(
        _("document code"),
        max_length=20,
        help_text=_("机关代字: the letters before the year in the number, e.g. 临工发."),
    )
    commendation_number = models.PositiveIntegerField(
        _("number of the commendation decision"), null=True, blank=True
    )
    commendation_title = models.CharField(_("title of the decision"), max_length=200)
    addressees = models.CharField(_("addressees"), max_length=300)
    commendation_body = models.TextField(
        _("text of the decision"),
        help_text=_("Its figures are filled in when the document is made."),
    )
    commendation_date = models.DateField(_("date of the decision"), null=True, blank=True)
    copies_to = models.CharField(_("copies to (抄送)"), max_length=300, blank=True)
    printed_by = models.CharField(_("printed by (印发机关)"), max_length=200, blank=True)
    # the campaign's own notice is printed by its issuer; its addressees
    notice_addressees = models.CharField(_("addressees of the notice"), max_length=300, blank=True)
    layout = models.JSONField(_("layout overrides"), default=dict, blank=True)

    class Meta:
        verbose_name = _("document settings")
        verbose_name_plural = _("document settings")

    def __str__(self) -> str:
        return str(self.campaign)

    def audit_unit(self):
        return self.campaign.owner_unit()


class Document(models.Model):
    """One version of one generated file, kept for good: regenerating makes a new
    version, old ones stay downloadable to the office. `variant` tells apart the
    files of one kind (certificates: the award kind's key)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("campaign"),
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    variant = models.CharField(_("variant"), max_length=60, blank=True)
    format = models.CharField(_("file format"), max_length=5, choices=DocumentFormat.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    size = models.PositiveBigIntegerField(_("file size"), default=0)
    made_by = actor_field(_("made by"))
    made_at = models.DateTimeField(_("made at"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["campaign_id", "kind", "variant", "format", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "variant", "format", "version"],
                name="document_version_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.format})"

    def audit_unit(self):
        return self.campaign.owner_unit()


class Certificate(TimeStampedModel):
    """A certificate (荣誉证书) for one award line: a number printed on it
    (`<year>-<kind>-<n>`), and a short code, printed and in its QR code, that leads to
    the public verification page. The code carries a check character, so a mistyped or
    altered code is told apart from an unknown one. A certificate whose award was
    withdrawn is revoked: verification says so."""

    award = models.OneToOneField(
        "awards.Award",
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("award"),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("campaign"),
    )
    number = models.CharField(_("certificate number"), max_length=40)
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_on = models.DateField(_("issued on"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("why it was revoked"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["campaign_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="certificate_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificate_revoked_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_unit(self):
        return self.campaign.owner_unit()


class GenerationJob(TimeStampedModel):
    """Making one document in the background (wenyi.documents.generate): the page that
    asked for it follows its progress, also after a reload, and links the archived
    file when it is done. One unfinished job per document at a time: asking again while
    it runs finds the running job."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="generation_jobs",
        verbose_name=_("campaign"),
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    variant = models.CharField(_("variant"), max_length=60, blank=True)
    format = models.CharField(_("file format"), max_length=5, choices=DocumentFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    message = models.TextField(_("result message"), blank=True)
    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document made"),
    )
    requested_by = actor_field(_("asked for by"))

    class Meta:
        verbose_name = _("document being made")
        verbose_name_plural = _("documents being made")
        ordering = ["-created_at", "-id"]
        constraints = [
            # one unfinished job per document: a second click finds the first
            models.UniqueConstraint(
                fields=["campaign", "kind", "variant", "format"],
                condition=Q(status__in=RUNNING),
                name="generation_job_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING
