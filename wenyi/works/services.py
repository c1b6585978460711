"""Every change to a work: one function each, audited.

draft → submitted → withdrawn. Submitting queues the originality check; the office
decides each possible copy it finds (cleared / disqualified, with a reason). Nothing
is rejected automatically.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.campaigns.enums import FileKind
from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.core import audit, clock, notify, versioning
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.transitions import move_status, refuse_own_submission
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import coordinators_for
from wenyi.works import tallies
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Match, Work, WorkAuthor

FIELDS = (
    "category",
    "unit",
    "title",
    "text",
    "video_url",
    "duration_seconds",
    "origin",
    "activity",
    "created_on",
    "description",
)


def count_text(text: str) -> int:
    """Characters that count toward a text length limit: letters (Chinese characters
    included) and digits, as for the summary report."""
    return sum(1 for ch in text if ch.isalnum())


def check_category_rules(category: WorkCategory, text: str) -> None:
    """The campaign file's limits for the art form: text length when text is accepted."""
    kinds = set(category.file_kinds or [])
    n = count_text(text or "")
    if text and FileKind.TEXT not in kinds:
        raise ValidationError(
            _("%(form)s: this art form takes files, not typed text.") % {"form": category.name}
        )
    if FileKind.TEXT in kinds and text:
        if category.text_min_chars and n < category.text_min_chars:
            raise ValidationError(
                _("Text: %(n)s characters; %(form)s asks for at least %(min)s.")
                % {"n": n, "form": category.name, "min": category.text_min_chars}
            )
        if category.text_max_chars and n > category.text_max_chars:
            raise ValidationError(
                _("Text: %(n)s characters; %(form)s allows at most %(max)s.")
                % {"n": n, "form": category.name, "max": category.text_max_chars}
            )


def _set_authors(work: Work, authors: Iterable[Person]) -> list[int]:
    ids = [p.pk for p in authors]
    if not ids:
        raise ValidationError(_("Authors: name at least one author."))
    WorkAuthor.objects.filter(work=work).delete()
    WorkAuthor.objects.bulk_create(
        WorkAuthor(work=work, person_id=pk, position=i) for i, pk in enumerate(ids)
    )
    return ids


def _tell(users, actor, kind: str, message: str, work: Work, **values) -> None:
    with notify.site_language():
        text = _(message) % {"title": work.title, "unit": work.unit.name, **values}
    notify.notify(
        users, text, kind=kind, url=reverse("works:detail", args=[work.pk]), exclude=actor
    )


def _concerned(work: Work) -> list:
    """Who hears of a decision on a work: its authors with a login, who entered and who
    submitted it."""
    authors = [link.person.user for link in work.author_links.select_related("person__user")]
    return [u for u in (*authors, work.created_by, work.submitted_by) if u is not None]


def work_for_token(token: uuid.UUID | None, actor=None) -> Work | None:
    """The work a form with this one-time token already created (only the login that
    sent the form finds it)."""
    if not token:
        return None
    found = Work.objects.filter(token=token)
    if actor is not None:
        found = found.filter(created_by=actor if getattr(actor, "pk", None) else None)
    return found.first()


def create_work(
    actor,
    *,
    campaign: Campaign,
    category: WorkCategory,
    unit: OrgUnit,
    title: str,
    authors: Iterable[Person],
    token: uuid.UUID | None = None,
    **values: Any,
) -> Work:
    """Enter a work as a draft. The same one-time token twice returns the first work."""
    existing = work_for_token(token, actor)
    if existing is not None:
        return existing
    if category.campaign_id != campaign.pk:
        raise ValidationError(_("Art form: not part of this campaign."))
    if category.children.exists():
        raise ValidationError(
            _("Art form: choose one of the forms under %(group)s.") % {"group": category.name}
        )
    check_category_rules(category, values.get("text", ""))
    check_activity(campaign, values.get("activity"))
    try:
        with transaction.atomic():
            work = Work.objects.create(
                campaign=campaign,
                category=category,
                unit=unit,
                title=title.strip(),
                token=token,
                created_by=actor if getattr(actor, "pk", None) else None,
                **{k: v for k, v in values.items() if k in FIELDS},
            )
            ids = _set_authors(work, authors)
            audit.record(
                actor,
                AuditAction.CREATE,
                work,
                changes={**audit.diff({}, audit.snapshot(work)), "authors": [None, ids]},
            )
            _tell(
                coordinators_for(unit),
                actor,
                NoticeKind.HANDED_IN,
                gettext_noop("A work was entered for %(unit)s: “%(title)s”."),
                work,
            )
    except IntegrityError:
        if (won := work_for_token(token, actor)) is not None:
            return won
        raise
    return work


def check_activity(campaign: Campaign, activity) -> None:
    """A work names an activity of its campaign whose type creates works (采风创作)."""
    if activity is None:
        return
    if activity.campaign_id != campaign.pk or not activity.type.produces_works:
        raise ValidationError(
            _("Created on the activity: works are not created on “%(title)s”.")
            % {"title": activity.title}
        )


@transaction.atomic
def update_work(
    actor,
    work: Work,
    *,
    version: int | None,
    authors: Iterable[Person] | None = None,
    files_changed: bool = False,
    **values: Any,
) -> Work:
    """Change a draft; `version` is the one the editor's form was opened at (a save over
    someone else's is refused with EditConflict). `files_changed`: the same edit adds or
    removes files, which a stale form must not do either."""
    work = Work.objects.select_for_update().get(pk=work.pk)
    if work.status != WorkStatus.DRAFT:
        raise ValidationError(
            _("This work is %(status)s and can no longer be changed.")
            % {"status": work.get_status_display()}
        )
    before = audit.snapshot(work)
    if values.get("activity") is not None and values["activity"].pk != work.activity_id:
        check_activity(work.campaign, values["activity"])
    for name in FIELDS:
        if name in values:
            setattr(work, name, values[name])
    check_category_rules(work.category, work.text)
    work.save()
    changes = audit.diff(before, audit.snapshot(work))
    changes.pop("updated_at", None)
    if authors is not None:
        old = list(work.author_links.values_list("person_id", flat=True))
        new = [p.pk for p in authors]
        if old != new:
            _set_authors(work, authors)
            changes["authors"] = [old, new]
    if changes or files_changed:
        # last, so a refusal rolls back everything written above
        versioning.claim(work, version)
        changes["version"] = [version, work.version]
        audit.record(actor, AuditAction.UPDATE, work, changes=changes)
    return work


@transaction.atomic
def record_consent(actor, work: Work, *, portal: bool, anthology: bool, name: str) -> Work:
    """Rights consent: who agreed (the author, by name) and when; recorded by `actor`."""
    name = (name or "").strip()
    if (portal or anthology) and not name:
        raise ValidationError(_("Consent: name the author who agreed."))
    before = audit.snapshot(work)
    work.consent_portal, work.consent_anthology = portal, anthology
    work.consent_name = name if (portal or anthology) else ""
    work.consent_by = actor if (portal or anthology) and getattr(actor, "pk", None) else None
    work.consent_at = clock.now() if (portal or anthology) else None
    work.save(
        update_fields=[
            "consent_portal",
            "consent_anthology",
            "consent_name",
            "consent_by",
            "consent_at",
            "updated_at",
        ]
    )
    # an editor who opened the work before must see the consent first
    versioning.bump(Work, work.pk)
    work.refresh_from_db(fields=["version"])
    audit.record(actor, AuditAction.UPDATE, work, before=before)
    return work


def _transition(actor, work: Work, allowed: list[str], to: str, **extra: Any) -> Work:
    return move_status(
        actor,
        work,
        allowed,
        to,
        refused=_("This work is now %(status)s; the action was not carried out."),
        **extra,
    )


def submit_work(actor, work: Work) -> Work:
    """Submit, then check originality in the background (a task per submission)."""
    with transaction.atomic():
        kinds = set(work.category.file_kinds or [])
        has_content = bool(work.text.strip()) or work.files.exists() or bool(work.video_url)
        if not has_content:
            raise ValidationError(
                _("Add the work itself (text, files or a link) before submitting.")
            )
        if FileKind.TEXT in kinds and work.text:
            check_category_rules(work.category, work.text)
        work = _transition(
            actor,
            work,
            [WorkStatus.DRAFT],
            WorkStatus.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=actor if getattr(actor, "pk", None) else None,
        )
        tallies.count(work, +1)
    from wenyi.works.tasks import check_originality

    transaction.on_commit(lambda: check_originality.enqueue(work.pk))
    return work


@transaction.atomic
def withdraw_work(actor, work: Work) -> Work:
    work = _transition(actor, work, [WorkStatus.SUBMITTED], WorkStatus.WITHDRAWN)
    tallies.count(work, -1)
    return work


@transaction.atomic
def decide_match(actor, match: Match, *, status: str, reason: str) -> Match:
    """The office clears a possible copy or disqualifies the work, with a reason."""
    reason = (reason or "").strip()
    if status not in (MatchStatus.CLEARED, MatchStatus.DISQUALIFIED):
        raise ValidationError(_("Decision: choose cleared or disqualified."))
    if not reason:
        raise ValidationError(_("Reason: say why."))
    match = Match.objects.select_for_update().select_related("work").get(pk=match.pk)
    refuse_own_submission(actor, match.work)
    before = audit.snapshot(match)
    match.status, match.reason = status, reason
    match.decided_by = actor if getattr(actor, "pk", None) else None
    match.decided_at = timezone.now()
    match.save()
    audit.record(actor, AuditAction.TRANSITION, match, before=before, note=reason)
    if status == MatchStatus.DISQUALIFIED:
        message = gettext_noop("“%(title)s” was disqualified as a copy of another work: %(reason)s")
    else:
        message = gettext_noop("“%(title)s” was cleared of the suspicion of copying: %(reason)s")
    _tell(
        _concerned(match.work), actor, NoticeKind.COPY_DECIDED, message, match.work, reason=reason
    )
    return match
