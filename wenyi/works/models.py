"""Works (R3, R6, R12): the campaign's results, their files, authors and rights consent,
and the originality index (text sketches, LSH bands, passage fingerprints, image hashes)
with the possible copies found for the office to judge."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.core.models import TimeStampedModel
from wenyi.core.sorting import SortKeyed, SortKeyField
from wenyi.core.uploads import StoredFile, stored_file_path
from wenyi.core.versioning import Versioned
from wenyi.works.enums import FileRole, MatchKind, MatchStatus, Origin, WorkStatus


class Work(SortKeyed, Versioned, TimeStampedModel):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="works",
        verbose_name=_("campaign"),
    )
    category = models.ForeignKey(
        "campaigns.WorkCategory",
        on_delete=models.PROTECT,
        related_name="works",
        verbose_name=_("art form"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="works", verbose_name=_("unit")
    )
    title = models.CharField(_("title of the work"), max_length=200)
    # pinyin, for lists by title (core.sorting)
    title_sort = SortKeyField(_("sort key of the title"), source="title")
    text = models.TextField(_("text"), blank=True)
    video_url = models.URLField(_("video link"), blank=True, max_length=500)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    authors = models.ManyToManyField(
        "orgs.Person", through="WorkAuthor", related_name="works", verbose_name=_("authors")
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.FIELD_CREATION
    )
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="works",
        verbose_name=_("created on the activity"),
    )
    created_on = models.DateField(_("date of creation"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=WorkStatus.choices,
        default=WorkStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    # rights consent: may be published on the portal and in the anthology
    consent_portal = models.BooleanField(_("may be shown on the public portal"), default=False)
    consent_anthology = models.BooleanField(_("may be printed in the anthology"), default=False)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_name = models.CharField(_("consent given by"), max_length=100, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    originality_checked_at = models.DateTimeField(_("originality checked"), null=True, blank=True)
    token = models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("work")
        verbose_name_plural = _("works")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "status", "category"]),
            models.Index(fields=["campaign", "title_sort"], name="work_title_sort"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.unit


class WorkAuthor(models.Model):
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="author_links", verbose_name=_("work")
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("author of a work")
        verbose_name_plural = _("authors of works")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "person"], name="work_author_unique")
        ]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.person_id}"


# named by the first migration; new files get core.uploads.stored_file_path
work_file_path = stored_file_path


class WorkFile(StoredFile):
    """A file of a work (a `core.uploads.StoredFile`): manuscript, score, recording,
    picture or video. Pictures keep their EXIF in the original: contests ask for it."""

    upload_folder, upload_owner = "works", "work_id"

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="files", verbose_name=_("work")
    )
    role = models.CharField(_("kind of file"), max_length=10, choices=FileRole.choices)

    class Meta:
        verbose_name = _("file of a work")
        verbose_name_plural = _("files of works")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def audit_unit(self):
        return self.work.unit


class TextSketch(models.Model):
    """That a work's text is indexed, and how many distinct 5-grams it has. The MinHash
    sketch itself lives on only as its LSH bands (LshBand): matches are verified on the
    texts, so the sketch is never read back."""

    work = models.OneToOneField(
        Work, on_delete=models.CASCADE, related_name="sketch", verbose_name=_("work")
    )
    shingles = models.PositiveIntegerField(_("distinct 5-grams"), default=0)

    class Meta:
        verbose_name = _("text sketch")
        verbose_name_plural = _("text sketches")

    def __str__(self) -> str:
        return f"sketch of {self.work_id}"


class LshBand(models.Model):
    """One LSH band of a sketch: works sharing a (band, hash) row are candidates."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="+", verbose_name=_("work")
    )
    band = models.PositiveSmallIntegerField(_("band"))
    hash = models.BigIntegerField(_("hash"))

    class Meta:
        verbose_name = _("text band")
        verbose_name_plural = _("text bands")
        indexes = [models.Index(fields=["band", "hash"])]

    def __str__(self) -> str:
        return f"{self.work_id}/{self.band}"


class Fingerprint(models.Model):
    """A winnowed passage fingerprint: finds a short copied passage in a long text."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="+", verbose_name=_("work")
    )
    hash = models.BigIntegerField(_("hash"))
    position = models.PositiveIntegerField(_("position in the text"))

    class Meta:
        verbose_name = _("passage fingerprint")
        verbose_name_plural = _("passage fingerprints")
        indexes = [models.Index(fields=["hash"])]

    def __str__(self) -> str:
        return f"{self.work_id}@{self.position}"


class ImageHash(models.Model):
    """The perceptual hash (64-bit pHash, stored signed) of an image file of a work."""

    file = models.OneToOneField(
        WorkFile, on_delete=models.CASCADE, related_name="phash", verbose_name=_("file of a work")
    )
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="+", verbose_name=_("work")
    )
    hash = models.BigIntegerField(_("hash"), db_index=True)

    class Meta:
        verbose_name = _("picture hash")
        verbose_name_plural = _("picture hashes")

    def __str__(self) -> str:
        return f"{self.file_id}: {self.hash:x}"


class Match(models.Model):
    """A possible copy: `work` (checked) resembles `other` (already in the system)."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="matches", verbose_name=_("checked work")
    )
    other = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="matched_by", verbose_name=_("other work")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MatchKind.choices)
    jaccard = models.FloatField(_("similarity (Jaccard)"), null=True, blank=True)
    # share of this work found in the other, and of the other found in this one
    containment = models.FloatField(
        _("share of this work found in the other"), null=True, blank=True
    )
    containment_other = models.FloatField(
        _("share of the other work found in this one"), null=True, blank=True
    )
    # [[start, end, other_start, other_end], ...] character ranges of matching passages
    passages = models.JSONField(_("matching passages"), default=list, blank=True)
    file = models.ForeignKey(
        WorkFile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("file of the checked work"),
    )
    other_file = models.ForeignKey(
        WorkFile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("file of the other work"),
    )
    # image hash bits
    distance = models.PositiveSmallIntegerField(
        _("picture distance (of 64)"), null=True, blank=True
    )
    status = models.CharField(
        _("decision"),
        max_length=14,
        choices=MatchStatus.choices,
        default=MatchStatus.OPEN,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("possible copy")
        verbose_name_plural = _("possible copies")
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "other", "kind", "file", "other_file"], name="match_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_id} ~ {self.other_id} ({self.kind})"

    def audit_unit(self):
        # the office that decides a possible copy sits above both works' units
        return self.work.unit


class WorkTally(models.Model):
    """Submitted works of one unit (not its subtree) in one art form, kept by
    `works.tallies` in the transaction that submits or withdraws a work; the dashboards
    add the rows of a subtree up instead of counting the works."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    category = models.ForeignKey(
        "campaigns.WorkCategory",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("art form"),
    )
    submitted = models.PositiveIntegerField(_("submitted works"), default=0)

    class Meta:
        verbose_name = _("submitted works per art form")
        verbose_name_plural = _("submitted works per art form")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "category"], name="work_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.category_id}: {self.submitted}"


class AuthorTally(models.Model):
    """How many submitted works of one unit (not its subtree) a person wrote or shares,
    kept with `WorkTally`: the art workers taking part in a subtree are the people with
    a row above zero under it, a count over a few rows per unit instead of over every
    author of every work."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("author")
    )
    works = models.PositiveIntegerField(_("submitted works"), default=0)

    class Meta:
        verbose_name = _("submitted works per author")
        verbose_name_plural = _("submitted works per author")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "person"], name="author_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.person_id}: {self.works}"
