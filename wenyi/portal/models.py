"""The public portal (issue 14, points 4 and 5): which works the office shows to the
public, and the news it posts — activity reports and typical examples (典型经验) with
their photos.

A work is on the portal while its `WorkPublication` is published; the public pages
also check, on every read, that the work still has its rights holder's consent and is
still submitted and not disqualified, so a consent taken back or a work withdrawn after
publishing disappears at once (see `queries.public_works`).

The anthology (作品汇编, R12) is a book the office compiles from the campaign's works:
`Anthology` (title, preface, editor's note, page size, whether its order is automatic or
by hand), its works (`AnthologyItem`, one row per work and place) and its cover picture
(`AnthologyCover`). The rules, the order and the book made of it live in
`wenyi.portal.anthology`.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.core.models import TimeStampedModel, actor_field
from wenyi.core.uploads import StoredFile
from wenyi.core.versioning import Versioned
from wenyi.portal.enums import NewsKind, PageSize


class WorkPublication(TimeStampedModel):
    """That the office put a work on the portal (or took it off again)."""

    work = models.OneToOneField(
        "works.Work",
        on_delete=models.CASCADE,
        related_name="publication",
        verbose_name=_("work"),
    )
    # the work's campaign, kept here so the gallery reads one index
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    is_published = models.BooleanField(_("on the portal"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = actor_field(_("published by"))
    unpublished_at = models.DateTimeField(_("taken off at"), null=True, blank=True)
    unpublished_by = actor_field(_("taken off by"))

    class Meta:
        verbose_name = _("publication of a work")
        verbose_name_plural = _("publications of works")
        indexes = [
            # the gallery's order among the published works (Django writes the flag as a
            # bare column in SQLite's WHERE, which a partial index matches)
            models.Index(
                fields=["campaign", "-published_at", "-id"],
                condition=models.Q(is_published=True),
                name="portal_gallery",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.is_published}"

    def audit_unit(self):
        return self.work.unit


class NewsItem(Versioned, TimeStampedModel):
    """An activity report or a typical example: a title, a date and plain paragraphs,
    with photos (the first is the cover)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="news",
        verbose_name=_("campaign"),
    )
    kind = models.CharField(
        _("kind of news"), max_length=10, choices=NewsKind.choices, default=NewsKind.REPORT
    )
    title = models.CharField(_("headline"), max_length=120)
    dated = models.DateField(_("date of the news"))
    summary = models.CharField(_("short summary"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_published = models.BooleanField(_("on the portal"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = actor_field(_("published by"))
    created_by = actor_field(_("created by"))
    # the new-item form's token: sending the form twice makes one item
    token = models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-dated", "-id"]
        indexes = [models.Index(fields=["campaign", "is_published", "-dated"])]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.campaign.owner_unit()

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.splitlines() if p.strip()]

    def lead(self) -> str:
        """The summary, or the start of the text: for lists and the page's description."""
        if self.summary:
            return self.summary
        text = "".join(self.paragraphs())
        return text[:80] + ("…" if len(text) > 80 else "")


class NewsPhoto(StoredFile):
    """A photo of a news item (a `core.uploads.StoredFile`): the public pages show only
    its public copy, re-encoded without EXIF, GPS or other metadata."""

    upload_folder, upload_owner = "news", "news_id"

    news = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="photos", verbose_name=_("news item")
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("photo of a news item")
        verbose_name_plural = _("photos of news items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def audit_unit(self):
        return self.news.campaign.owner_unit()


class Anthology(Versioned, TimeStampedModel):
    """A book of the campaign's works (作品汇编). A campaign may have several: a book of
    literature and one of photographs and calligraphy, say, each with its own files in
    the archive (`Document.variant` is the anthology's id)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="anthologies",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("title of the book"), max_length=120)
    subtitle = models.CharField(_("subtitle"), max_length=120, blank=True)
    editor = models.CharField(
        _("compiled by"),
        max_length=120,
        blank=True,
        help_text=_("Printed on the cover and the title page; the campaign's organiser if empty."),
    )
    preface = models.TextField(_("preface"), blank=True)
    editor_note = models.TextField(_("editor's note"), blank=True)
    page_size = models.CharField(
        _("page size"), max_length=2, choices=PageSize.choices, default=PageSize.A5
    )
    # False: the order is computed on every read (art form, tier, score, title); True:
    # the office moved works by hand and `AnthologyItem.position` is the order
    hand_ordered = models.BooleanField(_("ordered by hand"), default=False)
    works = models.ManyToManyField(
        "works.Work",
        through="AnthologyItem",
        related_name="anthologies",
        verbose_name=_("works"),
    )
    # the book's stable identity in its EPUB (dc:identifier), the same in every version
    identifier = models.UUIDField(_("identifier of the book"), default=uuid.uuid4, editable=False)
    created_by = actor_field(_("created by"))
    # the new-book form's token: sending the form twice makes one book
    token = models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("anthology")
        verbose_name_plural = _("anthologies")
        ordering = ["campaign_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.campaign.owner_unit()


class AnthologyItem(models.Model):
    """A work in an anthology, once. `position` is its place in the book when the book
    is ordered by hand (unused while the order is automatic)."""

    anthology = models.ForeignKey(
        Anthology, on_delete=models.CASCADE, related_name="items", verbose_name=_("anthology")
    )
    work = models.ForeignKey(
        "works.Work",
        on_delete=models.CASCADE,
        related_name="anthology_items",
        verbose_name=_("work"),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = actor_field(_("added by"))

    class Meta:
        verbose_name = _("work in an anthology")
        verbose_name_plural = _("works in anthologies")
        ordering = ["anthology_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["anthology", "work"], name="anthology_work_unique")
        ]

    def __str__(self) -> str:
        return f"{self.anthology_id}: {self.work_id}"

    def audit_unit(self):
        return self.anthology.campaign.owner_unit()


class AnthologyCover(StoredFile):
    """The anthology's cover picture (a `core.uploads.StoredFile`): the book prints its
    public copy, re-encoded without EXIF or location."""

    upload_folder, upload_owner = "anthology", "anthology_id"

    anthology = models.OneToOneField(
        Anthology, on_delete=models.CASCADE, related_name="cover", verbose_name=_("anthology")
    )

    class Meta:
        verbose_name = _("cover picture")
        verbose_name_plural = _("cover pictures")

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def audit_unit(self):
        return self.anthology.campaign.owner_unit()
