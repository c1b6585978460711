"""Every change to a campaign's results, their public notice and the objections raised
in it: one function each, audited, with notices.

- `draw`: the results (a draft) from the review's approved tiers, drawn again as often
  as needed while a draft. `approve` makes them provisional — never by whoever drew
  them (four eyes); `reopen` takes an approval back before any notice.
- `publish_notice`: the public notice (公示) with its window from the campaign's rule
  (working or calendar days, wenyi.core.workdays); a second notice follows when an
  upheld objection changed the results.
- `receive_objection`: the public form (wenyi.awards.objections checks it).
- `start_investigation`, `decide`: the office's handling of an objection; upholding
  one withdraws the award line it concerns, with the written decision as the reason.
  Nobody handles an objection they raised themselves.
- `declare_final`: once the latest notice's window has ended and every objection is
  decided.

Who may call which is declared in wenyi.awards.rules and checked by the views; the
services check the states and the four eyes, and refuse with a message that says why.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.awards.drawing import Drawn, approved_tierings, line_of, placements_of
from wenyi.awards.enums import DECIDED, AwardStatus, ObjectionStatus, ResultsStatus
from wenyi.awards.models import Award, Objection, PublicNotice, Results
from wenyi.campaigns.models import AwardKind, Campaign
from wenyi.core import audit, clock, notify, versioning, workdays
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.transitions import move_status
from wenyi.review.services import login_of, office_of

TITLE_MAX = PublicNotice._meta.get_field("title").max_length


# -- shared ----------------------------------------------------------------------------


def tell(users, actor, message: str, *, url: str = "", **values) -> None:
    """A notice to `users` (but the actor), composed in the site's language."""
    with notify.site_language():
        text = _(message) % values
    notify.notify(
        [u for u in users if u is not None], text, kind=NoticeKind.WAITING, url=url, exclude=actor
    )


def results_url(campaign: Campaign) -> str:
    return reverse("awards:results", args=[campaign.slug])


def describe(award: Award) -> str:
    """An award line in words: 优秀文艺作品 一等奖：《车间的早晨》 王某（兰山区）."""
    kind = award.award_kind.name
    if award.tier_id and award.tier.name != kind:
        kind = f"{kind} {award.tier.name}"
    what = f"《{award.title}》 {award.holder}" if award.title else award.holder
    unit = f"（{award.unit_name}）" if award.unit_name else ""
    return f"{kind}：{what}{unit}"


def _locked(results: Results) -> Results:
    return (
        Results.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=results.pk)
    )


def _same_version(results: Results, version: int | None) -> None:
    """An action on what the page showed: refused when the results changed since the
    page was opened (drawn again, an objection decided)."""
    if version is None:
        raise ValidationError(_("The form is missing its version; reload the page."))
    if version != results.version:
        raise versioning.EditConflict(results, version)


# -- drawing the results ----------------------------------------------------------------


@transaction.atomic
def draw(actor, campaign: Campaign) -> Drawn:
    """Draw the campaign's results (a draft) from the review's approved tiers: one line
    per placement with a tier, by award kind, tier and the round's order, with the
    names as they will be printed. Drawn again, the lines are replaced. Refused once
    the results are approved, on notice or final, and when no tiers are approved."""
    results = Results.objects.filter(campaign=campaign).first()
    if results is not None:
        results = _locked(results)
        if results.status != ResultsStatus.DRAFT:
            raise ValidationError(
                _(
                    "The results are %(status)s: they are drawn again only while they are "
                    "being drawn up."
                )
                % {"status": results.get_status_display()}
            )
    chosen, set_aside = approved_tierings(campaign)
    if not chosen:
        raise ValidationError(
            _(
                "No award tiers are approved in the review yet: approve the tiers of at "
                "least one award kind first."
            )
        )
    created = results is None
    if created:
        results = Results.objects.create(campaign=campaign)
        audit.record(actor, AuditAction.CREATE, results)
    before = audit.snapshot(results)
    dropped = results.awards.count()
    results.awards.all().delete()
    drawn = Drawn(results=results)
    lines: list[Award] = []
    for kind in AwardKind.objects.filter(campaign=campaign).order_by("position", "id"):
        tiering = chosen.get(kind.pk)
        if tiering is None:
            drawn.missing.append(kind.name)
            continue
        made = [line_of(results, kind, p, n) for n, p in enumerate(placements_of(tiering), start=1)]
        drawn.counts[kind.name] = len(made)
        lines += made
    Award.objects.bulk_create(lines)
    drawn.set_aside = [str(t) for t in set_aside]
    results.drawn_at = timezone.now()
    results.drawn_by = login_of(actor)
    results.version += 1
    results.save(update_fields=["drawn_at", "drawn_by", "version", "updated_at"])
    note = "；".join(f"{name} {n}" for name, n in drawn.counts.items())
    if dropped:
        note += "；" + _("%(n)s lines drawn before replaced") % {"n": dropped}
    changes = audit.diff(before, audit.snapshot(results))
    audit.record(actor, AuditAction.UPDATE, results, changes=changes, note=note)
    tell(
        office_of(campaign),
        actor,
        gettext_noop(
            "The results of %(campaign)s were drawn from the review's tiers: someone other "
            "than the one who drew them checks and approves them."
        ),
        url=results_url(campaign),
        campaign=campaign.title,
    )
    return drawn


@transaction.atomic
def approve(actor, results: Results, *, version: int | None) -> Results:
    """Approve the drawn results as they stand (provisional: they may go on public
    notice). Never by whoever drew them."""
    results = _locked(results)
    if results.status == ResultsStatus.DRAFT:
        if results.drawn_by_id is not None and results.drawn_by_id == getattr(actor, "pk", None):
            raise ValidationError(
                _("You drew these results yourself: another member of the office approves them.")
            )
        if not results.awards.exists():
            raise ValidationError(_("The results hold no award line: draw them again first."))
        _same_version(results, version)
    moved = move_status(
        actor,
        results,
        [ResultsStatus.DRAFT],
        ResultsStatus.APPROVED,
        refused=_("The results are %(status)s already."),
        approved_at=timezone.now(),
        approved_by=login_of(actor),
    )
    tell(
        office_of(results.campaign),
        actor,
        gettext_noop(
            "The results of %(campaign)s are approved (provisional): they may now go on "
            "public notice."
        ),
        url=results_url(results.campaign),
        campaign=results.campaign.title,
    )
    return moved


@transaction.atomic
def reopen(actor, results: Results, *, reason: str) -> Results:
    """Take the approval back before any public notice (the tiers changed, a line is
    wrong): the results are a draft again, to be drawn and approved anew."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Reason: say why the approval is taken back.")})
    results = _locked(results)
    moved = move_status(
        actor,
        results,
        [ResultsStatus.APPROVED],
        ResultsStatus.DRAFT,
        refused=_("The results are %(status)s: only approved results not yet on notice go back."),
        note=reason,
        approved_at=None,
        approved_by=None,
    )
    tell(
        office_of(results.campaign),
        actor,
        gettext_noop("The approval of the results of %(campaign)s was taken back: %(reason)s"),
        url=results_url(results.campaign),
        campaign=results.campaign.title,
        reason=reason,
    )
    return moved


# -- the public notice ---------------------------------------------------------------------


def latest_notice(results: Results) -> PublicNotice | None:
    return results.notices.order_by("-number").first()


def window_of(campaign: Campaign, starts_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The notice's first and last day from `starts_on` by the campaign's rule; a year
    the calendar does not know is refused on the start date's field."""
    try:
        return campaign.notice_window(starts_on)
    except workdays.UnknownYear as exc:
        raise ValidationError({"starts_on": _("Start date: %(why)s") % {"why": exc}}) from None
    except ValueError as exc:
        raise ValidationError({"starts_on": _("Start date: %(why)s") % {"why": exc}}) from None


def window_text(campaign: Campaign, first: datetime.date, last: datetime.date) -> str:
    """公示期：2014年12月2日至12月8日（5个工作日）."""
    start = _("%(year)s-%(month)s-%(day)s") % {
        "year": first.year,
        "month": first.month,
        "day": first.day,
    }
    end = (
        _("%(month)s-%(day)s") % {"month": last.month, "day": last.day}
        if last.year == first.year
        else _("%(year)s-%(month)s-%(day)s")
        % {"year": last.year, "month": last.month, "day": last.day}
    )
    if campaign.notice_in_working_days:
        length = _("%(n)s working days") % {"n": campaign.notice_days}
    else:
        length = _("%(n)s days") % {"n": campaign.notice_days}
    return _("Public notice: %(start)s to %(end)s (%(length)s)") % {
        "start": start,
        "end": end,
        "length": length,
    }


def renotice_refusal(results: Results) -> str:
    """Why results on notice may not be noticed again ("" when they may): a new notice
    follows only when an upheld objection changed them and every objection of the
    latest notice is decided."""
    latest = latest_notice(results)
    objections = list(latest.objections.all()) if latest else []
    waiting = [o.reference for o in objections if o.status not in DECIDED]
    if waiting:
        return _("Decide the objections %(refs)s first.") % {"refs": "、".join(waiting)}
    if not any(o.status == ObjectionStatus.UPHELD for o in objections):
        return _(
            "The results are on public notice already; a new notice follows only when an "
            "upheld objection changed them."
        )
    return ""


@transaction.atomic
def publish_notice(
    actor,
    results: Results,
    *,
    starts_on: datetime.date,
    title: str,
    text: str,
    version: int | None = None,
    today: datetime.date | None = None,
) -> PublicNotice:
    """Put the approved results on public notice from `starts_on` (not before `today`,
    the clock's by default): the window holds the campaign's number of working or
    calendar days. A second notice (number 2, …) puts results an upheld objection
    changed on notice again."""
    title, text = (title or "").strip(), (text or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Title: give the notice a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Title: at most %(max)s characters.") % {"max": TITLE_MAX}
    if not text:
        errors["text"] = _("Text: write the text of the notice.")
    today = today or clock.today()
    if starts_on is None:
        errors["starts_on"] = _("Start date: give the first day of the notice.")
    elif starts_on < today:
        errors["starts_on"] = _("Start date: not before today (%(today)s).") % {
            "today": today.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    results = _locked(results)
    campaign = results.campaign
    first, last = window_of(campaign, starts_on)
    if results.status == ResultsStatus.NOTICE:
        refusal = renotice_refusal(results)
        if refusal:
            raise ValidationError(refusal)
    elif results.status != ResultsStatus.APPROVED:
        raise ValidationError(
            _("The results are %(status)s: only approved results go on public notice.")
            % {"status": results.get_status_display()}
        )
    if version is not None:
        _same_version(results, version)
    latest = latest_notice(results)
    notice = PublicNotice.objects.create(
        results=results,
        number=(latest.number + 1) if latest else 1,
        title=title,
        text=text,
        starts_on=first,
        ends_on=last,
        published_at=timezone.now(),
        published_by=login_of(actor),
    )
    audit.record(actor, AuditAction.CREATE, notice)
    window = window_text(campaign, first, last)
    if results.status == ResultsStatus.APPROVED:
        move_status(
            actor,
            results,
            [ResultsStatus.APPROVED],
            ResultsStatus.NOTICE,
            refused=_("The results are %(status)s already."),
            note=window,
        )
    else:
        versioning.bump(Results, results.pk)
        results.refresh_from_db()
        audit.record(
            actor,
            AuditAction.UPDATE,
            results,
            changes={"version": [results.version - 1, results.version]},
            note=_("Notice no. %(n)s: %(window)s") % {"n": notice.number, "window": window},
        )
    tell(
        office_of(campaign),
        actor,
        gettext_noop("The results of %(campaign)s are on public notice. %(window)s"),
        url=results_url(campaign),
        campaign=campaign.title,
        window=window,
    )
    return notice


# -- objections -----------------------------------------------------------------------------


def receive_objection(notice: PublicNotice, data: dict, files: dict, today=None) -> Objection:
    """An objection from the public form (see wenyi.awards.objections)."""
    from wenyi.awards import objections

    return objections.receive(notice, data, files, today=today)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def raised_it(actor, objection: Objection) -> bool:
    """The objection is the actor's own: its telephone is the actor's mobile, or its
    e-mail the actor's (a name alone may be anyone's)."""
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    phones = {_digits(getattr(person, "mobile", ""))} - {""}
    emails = {
        e.strip().lower() for e in (getattr(actor, "email", ""), getattr(person, "email", "")) if e
    }
    return bool(
        (_digits(objection.phone) and _digits(objection.phone) in phones)
        or (objection.email and objection.email.strip().lower() in emails)
    )


def _not_own(actor, objection: Objection) -> None:
    if raised_it(actor, objection):
        raise ValidationError(
            _(
                "You raised this objection yourself: another member of the office "
                "investigates and decides it."
            )
        )


def _locked_objection(objection: Objection) -> Objection:
    return (
        Objection.objects.select_for_update(of=("self",))
        .select_related("notice__results__campaign", "award__award_kind", "award__tier")
        .get(pk=objection.pk)
    )


def objection_url(objection: Objection) -> str:
    return reverse(
        "awards:objection", args=[objection.notice.results.campaign.slug, objection.reference]
    )


@transaction.atomic
def start_investigation(actor, objection: Objection, *, note: str = "") -> Objection:
    """The office takes the objection up (received → under investigation), with a note
    of what it will look into."""
    objection = _locked_objection(objection)
    _not_own(actor, objection)
    note = (note or "").strip()
    moved = move_status(
        actor,
        objection,
        [ObjectionStatus.RECEIVED],
        ObjectionStatus.INVESTIGATING,
        refused=_("This objection is %(status)s already."),
        note=note,
        investigation_note=note,
        investigated_at=timezone.now(),
        investigated_by=login_of(actor),
    )
    versioning.bump(Results, objection.notice.results_id)
    return moved


@transaction.atomic
def decide(actor, objection: Objection, *, upheld: bool, decision: str) -> Objection:
    """Decide an objection with a written decision, published with it (never the
    objector). Upheld: the award line it concerns is withdrawn, the decision its
    reason. The objector hears of it by e-mail when they gave an address."""
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": _("Decision: write the decision and its reasons.")})
    objection = _locked_objection(objection)
    _not_own(actor, objection)
    results = _locked(objection.notice.results)
    if results.status == ResultsStatus.FINAL:
        raise ValidationError(_("The results are final; their objections were all decided."))
    moved = move_status(
        actor,
        objection,
        [ObjectionStatus.RECEIVED, ObjectionStatus.INVESTIGATING],
        ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED,
        refused=_("This objection is %(status)s already."),
        decision=decision,
        decided_at=timezone.now(),
        decided_by=login_of(actor),
    )
    award = Award.objects.select_for_update(of=("self",)).get(pk=objection.award_id)
    if upheld and award.status == AwardStatus.STANDING:
        before = audit.snapshot(award)
        award.status = AwardStatus.WITHDRAWN
        award.withdrawn_reason = decision
        award.save(update_fields=["status", "withdrawn_reason"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            award,
            before=before,
            note=_("Objection %(ref)s upheld") % {"ref": objection.reference},
        )
    versioning.bump(Results, results.pk)
    campaign = results.campaign
    tell(
        office_of(campaign),
        actor,
        gettext_noop("Objection %(ref)s to the results of %(campaign)s was %(outcome)s."),
        url=objection_url(moved),
        ref=moved.reference,
        campaign=campaign.title,
        outcome=moved.get_status_display(),
    )
    if moved.email:
        with notify.site_language():
            subject = _("Your objection %(ref)s: %(outcome)s") % {
                "ref": moved.reference,
                "outcome": moved.get_status_display(),
            }
            body = _(
                "Your objection %(ref)s to %(result)s in the public notice of %(campaign)s "
                "was %(outcome)s.\n\nDecision:\n%(decision)s"
            ) % {
                "ref": moved.reference,
                "result": describe(award),
                "campaign": campaign.title,
                "outcome": moved.get_status_display(),
                "decision": decision,
            }
        notify.mail([moved.email], subject, body)
    return moved


# -- final --------------------------------------------------------------------------------


@transaction.atomic
def declare_final(actor, results: Results, *, version: int | None) -> Results:
    """The results become final: only once the latest notice's window has ended and
    every objection is decided. Final results are what the commendation prints."""
    results = _locked(results)
    if results.status == ResultsStatus.NOTICE:
        latest = latest_notice(results)
        today = clock.today()
        if latest is not None and today <= latest.ends_on:
            raise ValidationError(
                _("The public notice runs until %(end)s: the results become final after that day.")
                % {"end": latest.ends_on.isoformat()}
            )
        waiting = list(
            Objection.objects.filter(notice__results=results)
            .exclude(status__in=DECIDED)
            .order_by("reference")
            .values_list("reference", flat=True)
        )
        if waiting:
            raise ValidationError(
                _("Objections %(refs)s are not decided yet: decide every objection first.")
                % {"refs": "、".join(waiting)}
            )
        _same_version(results, version)
    moved = move_status(
        actor,
        results,
        [ResultsStatus.NOTICE],
        ResultsStatus.FINAL,
        refused=_("The results are %(status)s: only results on public notice become final."),
        final_at=timezone.now(),
        final_by=login_of(actor),
    )
    tell(
        office_of(results.campaign),
        actor,
        gettext_noop("The results of %(campaign)s are final."),
        url=results_url(results.campaign),
        campaign=results.campaign.title,
    )
    return moved
