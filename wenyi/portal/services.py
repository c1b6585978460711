"""Publishing on the portal: one function per state change, each audited.

- `publish_work` / `unpublish_work`: the office puts a work on the portal or takes it
  off. Only a submitted work, not disqualified, whose rights holder agreed to show it
  on the portal can be published (`publish_refusal` says why not).
- `create_news` / `update_news` (versioned: a stale save is refused with who changed
  what) / `publish_news` / `unpublish_news` / `delete_news`, and the photos: checked by
  `core.uploads` (by content; a photo's public copy made without location data) before
  any transaction, written inside `uploads.writing()` so a failure leaves no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.core import audit, clock, filetypes, uploads
from wenyi.core.enums import AuditAction
from wenyi.core.versioning import bump, claim
from wenyi.portal.models import NewsItem, NewsPhoto, WorkPublication
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Work

NEWS_FIELDS = ("kind", "title", "dated", "summary", "body")
PHOTOS_MAX = 12  # photos on one news item


# -- works ---------------------------------------------------------------------------------


def publish_refusal(work: Work) -> str:
    """Why `work` cannot go on the portal, in words naming it; "" when it can."""
    values = {"title": work.title}
    if work.status == WorkStatus.WITHDRAWN:
        return _("“%(title)s” cannot be published: it was withdrawn.") % values
    if work.status != WorkStatus.SUBMITTED:
        return _("“%(title)s” cannot be published: it has not been submitted yet.") % values
    disqualified = getattr(work, "disqualified", None)
    if disqualified is None:
        disqualified = work.matches.filter(status=MatchStatus.DISQUALIFIED).exists()
    if disqualified:
        return (
            _("“%(title)s” cannot be published: it was disqualified as a copy of another work.")
            % values
        )
    if not work.consent_portal:
        return (
            _(
                "“%(title)s” cannot be published: its rights holder has not agreed to show it "
                "on the public portal (record the consent on the work's page first)."
            )
            % values
        )
    return ""


@transaction.atomic
def publish_work(actor, work: Work) -> WorkPublication:
    """Put a work on the portal; a second click changes nothing and says so."""
    work = Work.objects.select_for_update().get(pk=work.pk)
    refusal = publish_refusal(work)
    if refusal:
        raise ValidationError(refusal)
    publication, _created = WorkPublication.objects.select_for_update().get_or_create(
        work=work, defaults={"campaign_id": work.campaign_id}
    )
    if publication.is_published:
        raise ValidationError(_("“%(title)s” is already on the portal.") % {"title": work.title})
    before = audit.snapshot(publication)
    publication.is_published = True
    publication.published_at = clock.now()
    publication.published_by = actor
    publication.save(update_fields=["is_published", "published_at", "published_by", "updated_at"])
    audit.record(actor, AuditAction.TRANSITION, publication, before=before)
    return publication


@transaction.atomic
def unpublish_work(actor, work: Work) -> WorkPublication:
    """Take a work off the portal (its page is a 404 to the public from now on)."""
    publication = (
        WorkPublication.objects.select_for_update().filter(work=work, is_published=True).first()
    )
    if publication is None:
        raise ValidationError(_("“%(title)s” is not on the portal.") % {"title": work.title})
    before = audit.snapshot(publication)
    publication.is_published = False
    publication.unpublished_at = clock.now()
    publication.unpublished_by = actor
    publication.save(
        update_fields=["is_published", "unpublished_at", "unpublished_by", "updated_at"]
    )
    audit.record(actor, AuditAction.TRANSITION, publication, before=before)
    return publication


# -- news photos ---------------------------------------------------------------------------


def _refused_photo(name: str, what: str) -> str:
    return _('Photo "%(name)s": only photos can be added here (its content is %(what)s).') % {
        "name": name,
        "what": what,
    }


def prepare_photo(upload: File) -> uploads.Prepared:
    """Check a photo and make its public copy (before any transaction); ValidationError
    naming the file when it is not a photo, damaged or too large."""
    from django.conf import settings

    return uploads.prepare(
        upload,
        {filetypes.IMAGE},
        max_mb=settings.WENYI_UPLOAD_MAX_MB,
        refused=_refused_photo,
    )


def prepare_photos(files: Iterable[File]) -> list[uploads.Prepared]:
    """Every photo checked; all problems at once, nothing stored."""
    prepared, problems = [], []
    for f in files:
        try:
            prepared.append(prepare_photo(f))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError({"photos": problems})
    return prepared


def _add_photos(
    actor, news: NewsItem, prepared: list[uploads.Prepared], written, captions: list[str]
) -> None:
    if news.photos.count() + len(prepared) > PHOTOS_MAX:
        raise ValidationError(
            {"photos": _("A news item takes at most %(max)d photos.") % {"max": PHOTOS_MAX}}
        )
    for i, item in enumerate(prepared):
        uploads.refuse_same_file(
            news.photos,
            item,
            _(
                'Photo "%(name)s": the same photo is already part of this news item (as '
                '"%(existing)s").'
            ),
        )
        photo = NewsPhoto(news=news, caption=captions[i] if i < len(captions) else "")
        uploads.save_new(photo, item, written)
        uploads.audit_file(actor, AuditAction.CREATE, photo, news, "photos")


# -- news ----------------------------------------------------------------------------------


def _check_dated(campaign: Campaign, data: dict[str, Any]) -> None:
    dated = data.get("dated")
    if dated is not None and not (campaign.start <= dated <= campaign.end):
        raise ValidationError(
            {
                "dated": _("The date must lie within the campaign (%(start)s to %(end)s).")
                % {"start": campaign.start.isoformat(), "end": campaign.end.isoformat()}
            }
        )


def create_news(
    actor,
    campaign: Campaign,
    data: dict[str, Any],
    photos: list[uploads.Prepared] = (),
    captions: list[str] = (),
    token=None,
) -> NewsItem:
    """A news item (not published yet) with its photos, all or nothing. The form's
    `token`: a form sent twice makes one item (the second gets the first back)."""
    if token is not None:
        existing = NewsItem.objects.filter(token=token).first()
        if existing is not None:
            return existing
    _check_dated(campaign, data)
    with uploads.writing() as written, transaction.atomic():
        news = NewsItem(campaign=campaign, created_by=actor, token=token)
        for name in NEWS_FIELDS:
            setattr(news, name, data[name])
        news.save()
        audit.record(actor, AuditAction.CREATE, news)
        _add_photos(actor, news, list(photos), written, list(captions))
    return news


def update_news(
    actor,
    news: NewsItem,
    data: dict[str, Any],
    version: int | None,
    *,
    photos: list[uploads.Prepared] = (),
    captions: list[str] = (),
    remove: Iterable[int] = (),
) -> NewsItem:
    """Save an edit made from `version` (EditConflict when someone saved since), add
    the new photos and remove the ones named, all or nothing."""
    _check_dated(news.campaign, data)
    with uploads.writing() as written, transaction.atomic():
        news = NewsItem.objects.select_for_update().get(pk=news.pk)
        before = audit.snapshot(news)
        claim(news, version)
        changed = audit.apply_values(news, NEWS_FIELDS, data)
        news.save(update_fields=[*changed, "version", "updated_at"])
        audit.record(actor, AuditAction.UPDATE, news, before=before)
        for photo in news.photos.filter(pk__in=list(remove)):
            uploads.audit_file(actor, AuditAction.DELETE, photo, news, "photos")
            uploads.delete_after_commit(photo)
            photo.delete()
        _add_photos(actor, news, list(photos), written, list(captions))
    return news


def _move(actor, news: NewsItem, published: bool) -> NewsItem:
    with transaction.atomic():
        locked = NewsItem.objects.select_for_update().get(pk=news.pk)
        if locked.is_published == published:
            message = (
                _("“%(title)s” is already published.")
                if published
                else _("“%(title)s” is not published.")
            )
            raise ValidationError(message % {"title": locked.title})
        before = audit.snapshot(locked)
        locked.is_published = published
        fields = ["is_published", "updated_at"]
        if published:
            locked.published_at = clock.now()
            locked.published_by = actor
            fields += ["published_at", "published_by"]
        locked.save(update_fields=fields)
        bump(NewsItem, locked.pk)  # an editor who opened it before must see the change
        locked.refresh_from_db(fields=["version"])
        audit.record(actor, AuditAction.TRANSITION, locked, before=before)
    return locked


def publish_news(actor, news: NewsItem) -> NewsItem:
    return _move(actor, news, True)


def unpublish_news(actor, news: NewsItem) -> NewsItem:
    return _move(actor, news, False)


@transaction.atomic
def delete_news(actor, news: NewsItem) -> None:
    """Delete a news item that is not published (take it off first); its photos' files
    go once the deletion is committed."""
    news = NewsItem.objects.select_for_update().get(pk=news.pk)
    if news.is_published:
        raise ValidationError(
            _("“%(title)s” is published: take it off the portal before deleting it.")
            % {"title": news.title}
        )
    for photo in news.photos.all():
        uploads.delete_after_commit(photo)
    audit.record(actor, AuditAction.DELETE, news)
    news.delete()
