"""Every change to a review round and its entries: one function each, audited, with
notices (the committee, relations, conflicts and assignments are in
wenyi.review.services; the scores and results in wenyi.review.scoring).

- **Definition**: `create_round`, `update_round`, `delete_round` — checked by the same
  rules as the campaign file's `[[review_rounds]]` (campaign_file.check_round), and
  only while the round is a draft: a round's definition is frozen once it opens.
  `set_checkers` names who checks its entries' eligibility.
- **States**: draft → open → closed → reopened (with a reason) → closed:
  `open_round`, `close_round` (locks the scores, computes and freezes the results),
  `reopen_round`.
- **Entries**: `create_entries` from the round's subject or from its source round's
  results by the advance rule; `add_entry` / `remove_entry` by hand; the eligibility
  check `check_entry` (审读, four eyes: never by the work's submitter or author).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.campaigns import participation
from wenyi.campaigns.campaign_file import CRITERION, REVIEW_ROUND, check_round
from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.core import audit, versioning
from wenyi.core.enums import AuditAction
from wenyi.core.transitions import move_status
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.review import tallies, vote_results
from wenyi.review.dossiers import available_indicators
from wenyi.review.enums import (
    ACTIVE,
    AdvanceRule,
    Eligibility,
    IneligibleReason,
    RoundStatus,
    RoundSubject,
)
from wenyi.review.formula import check_formula
from wenyi.review.loading import criterion_values, round_values
from wenyi.review.models import Criterion, Entry, Round, RoundChecker, RoundResult
from wenyi.review.scoring import compute_results
from wenyi.review.services import (
    login_of,
    office_of,
    refresh_conflicts,
    require_reason,
    tell,
)
from wenyi.works.models import Work
from wenyi.works.queries import eligible

# -- rounds: definition --------------------------------------------------------------

FILE_NAMES = tuple(spec.name for spec in REVIEW_ROUND)


def _context(campaign: Campaign, position: int | None, key: str | None) -> dict[str, Any]:
    """What a round's rules are checked against (campaign_file.round_problems): the
    campaign, its review stage, its work categories, and the rounds before and after
    the one at `position` (a new round comes last)."""
    stage = campaign.review_stage()
    others = list(campaign.review_rounds.order_by("position", "id").exclude(key=key or ""))
    if position is None:
        before, after = others, []
    else:
        before = [r for r in others if r.position < position]
        after = [r for r in others if r.position >= position]
    return {
        "period": (campaign.start, campaign.end),
        "stage": None
        if stage is None
        else {"key": stage.key, "name": stage.name, "start": stage.start, "end": stage.end},
        "categories": {
            c.key: (c.parent.key if c.parent_id else "")
            for c in WorkCategory.objects.filter(campaign=campaign).select_related("parent")
        },
        "earlier": {
            r.key: {"subject": r.subject, "kind": r.kind, "closes": r.closes} for r in before
        },
        "later": [r.key for r in after],
    }


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The values as a file would write them: an empty optional value is left out."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _checked(campaign: Campaign, raw: dict[str, Any], position: int | None, key: str | None):
    item, problems = check_round(raw, **_context(campaign, position, key))
    if item is not None and item["formula"]:
        # the indicator keys: the campaign's own (the file's check knows only the shape)
        try:
            check_formula(item["formula"], available_indicators(campaign))
        except ValidationError as exc:
            problems = [("formula", message) for message in exc.messages]
    if problems:
        errors: dict[str, list[str]] = {}
        for path, message in problems:
            field = path.split("[")[0].split(".")[0] or "__all__"
            errors.setdefault(field, []).append(f"{path}: {message}" if path else message)
        raise ValidationError(errors)
    return item


def definition(round_: Round) -> dict[str, Any]:
    """A round's definition as the campaign file would write it (values by the file's
    names, `criteria` a list of tables): what `update_round` changes."""
    values = {spec.name: getattr(round_, spec.model_attr) for spec in REVIEW_ROUND}
    values["source"] = round_.source.key if round_.source_id else ""
    values["criteria"] = [
        {spec.name: getattr(c, spec.model_attr) for spec in CRITERION}
        for c in round_.criteria.all()
    ]
    return values


def _save_criteria(actor, round_: Round, items: list[dict[str, Any]]) -> tuple[bool, list | None]:
    """Make the round's criteria those of `items` (matched by key), each change audited:
    (whether any changed, the keys before and after when they differ)."""
    existing = {c.key: c for c in round_.criteria.all()}
    old_keys = list(existing)
    touched = False
    for position, item in enumerate(items):
        values = criterion_values(item) | {"position": position}
        current = existing.pop(item["key"], None)
        if current is None:
            criterion = Criterion.objects.create(round=round_, **values)
            audit.record(actor, AuditAction.CREATE, criterion)
            touched = True
            continue
        before = audit.snapshot(current)
        if audit.apply_values(current, list(values), values):
            current.save()
            audit.record(actor, AuditAction.UPDATE, current, before=before)
            touched = True
    for criterion in existing.values():
        audit.record(actor, AuditAction.DELETE, criterion)
        criterion.delete()
        touched = True
    new_keys = [item["key"] for item in items]
    return touched, ([old_keys, new_keys] if old_keys != new_keys else None)


@transaction.atomic
def create_round(actor, campaign: Campaign, **values: Any) -> Round:
    """A new draft round, checked as the campaign file's rounds are (every problem named
    by its field). `values` by the file's names (campaign-format.md), `criteria` a list
    of {key, name, weight, maximum, …}."""
    raw = _given(values)
    raw["criteria"] = [_given(c) for c in values.get("criteria") or []]
    key = raw.get("key")
    if key and campaign.review_rounds.filter(key=key).exists():
        raise ValidationError({"key": _("Key: another round of the campaign has it.")})
    item = _checked(campaign, raw, None, key)
    position = (campaign.review_rounds.aggregate(m=Max("position"))["m"] or 0) + 1
    source = campaign.review_rounds.get(key=item["source"]) if item["source"] else None
    round_ = Round.objects.create(
        campaign=campaign,
        position=position,
        source=source,
        created_by=login_of(actor),
        **round_values(item),
    )
    audit.record(actor, AuditAction.CREATE, round_)
    _save_criteria(actor, round_, item["criteria"])
    return round_


def _refuse_unless_draft(round_: Round) -> None:
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(
            _("This round is %(status)s: its definition is frozen once it opens.")
            % {"status": round_.get_status_display()}
        )


@transaction.atomic
def update_round(actor, round_: Round, *, version: int | None, **values: Any) -> Round:
    """Change a draft round's definition (`values` by the file's names; `criteria`, when
    given, replaces the criteria). Refused once the round has opened, and over a save
    made after `version` (EditConflict)."""
    round_ = (
        Round.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=round_.pk)
    )
    _refuse_unless_draft(round_)
    unknown = set(values) - {*FILE_NAMES, "criteria"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    current = definition(round_)
    if "key" in values and values["key"] != round_.key:
        if round_.campaign.review_rounds.filter(key=values["key"]).exists():
            raise ValidationError({"key": _("Key: another round of the campaign has it.")})
        if round_.from_file:
            raise ValidationError(
                {"key": _("Key: this round comes from the campaign file, which names it.")}
            )
    merged = current | values
    raw = _given(merged)
    raw["criteria"] = [_given(c) for c in merged.get("criteria") or []]
    item = _checked(round_.campaign, raw, round_.position, round_.key)
    before = audit.snapshot(round_)
    new = round_values(item)
    source = round_.campaign.review_rounds.get(key=item["source"]) if item["source"] else None
    new["source_id"] = source.pk if source else None
    changed = audit.apply_values(round_, list(new), new)
    touched, criteria = _save_criteria(actor, round_, item["criteria"])
    if not changed and not touched:
        return round_
    if changed:
        round_.save(update_fields=[*changed, "updated_at"])
    versioning.claim(round_, version)
    changes = audit.diff(before, audit.snapshot(round_))
    if criteria is not None:
        changes["criteria"] = criteria
    audit.record(actor, AuditAction.UPDATE, round_, changes=changes)
    return round_


@transaction.atomic
def delete_round(actor, round_: Round) -> None:
    """Delete a draft round without entries (remove them first), and its criteria."""
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    _refuse_unless_draft(round_)
    if round_.entries.exists():
        raise ValidationError(_("This round has entries: remove them first."))
    if round_.next_rounds.exists():
        raise ValidationError(_("A later round takes its items from this one."))
    for part in [*round_.criteria.all(), *round_.checker_links.all()]:
        audit.record(actor, AuditAction.DELETE, part)
    audit.record(actor, AuditAction.DELETE, round_)
    round_.delete()


@transaction.atomic
def set_checkers(actor, round_: Round, users: Iterable) -> None:
    """Name the logins who check the eligibility of the round's entries (the office
    checks too); the ones newly named hear of it."""
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    wanted = {u.pk: u for u in users}
    current = {link.user_id: link for link in round_.checker_links.all()}
    if set(wanted) == set(current):
        return
    for user_id, link in current.items():
        if user_id not in wanted:
            link.delete()
    added = [u for pk, u in wanted.items() if pk not in current]
    RoundChecker.objects.bulk_create(
        RoundChecker(round=round_, user=u, added_by=login_of(actor)) for u in added
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        round_,
        changes={"checkers": [sorted(current), sorted(wanted)]},
    )
    tell(
        added,
        actor,
        gettext_noop("You were named to check the eligibility of the entries of %(round)s."),
        round=round_.name,
    )


# -- rounds: states ------------------------------------------------------------------


def _assigned_experts(round_: Round) -> list:
    people = Person.objects.filter(review_assignments__entry__round=round_).distinct()
    return [p.user for p in people.select_related("user") if p.user_id]


@transaction.atomic
def open_round(actor, round_: Round) -> Round:
    """draft → open: the experts start. Its conflicts are found afresh first, and the
    experts with entries assigned hear of it."""
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if round_.source_id and round_.source.status != RoundStatus.CLOSED:
        raise ValidationError(
            _("The source round %(round)s is not closed yet.") % {"round": round_.source.name}
        )
    if not Person.objects.filter(committees__campaign_id=round_.campaign_id).exists():
        raise ValidationError(_("The committee has no experts yet."))
    if round_.status == RoundStatus.DRAFT:
        refresh_conflicts(actor, round_)
    round_ = move_status(
        actor,
        round_,
        [RoundStatus.DRAFT],
        RoundStatus.OPEN,
        refused=_("This round is now %(status)s; it was not opened."),
        opened_at=timezone.now(),
    )
    tell(
        _assigned_experts(round_),
        actor,
        gettext_noop("%(round)s is open: the entries assigned to you are waiting."),
        round=round_.name,
    )
    return round_


@transaction.atomic
def close_round(actor, round_: Round) -> Round:
    """open or reopened → closed: scores are locked and the results computed and frozen
    (a RoundResult per entry, wenyi.review.scoring.compute_results, with the public vote
    feeding the round blended in). Refused while that vote is open or has held votes."""
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if round_.status in ACTIVE:
        vote_results.refuse_close(round_)
    round_ = move_status(
        actor,
        round_,
        list(ACTIVE),
        RoundStatus.CLOSED,
        refused=_("This round is now %(status)s; it was not closed."),
        closed_at=timezone.now(),
    )
    results = compute_results(round_)
    audit.record(
        actor,
        AuditAction.UPDATE,
        round_,
        changes={},
        note=_("Results computed for %(n)s entries.") % {"n": len(results)},
    )
    tell(
        _assigned_experts(round_),
        actor,
        gettext_noop("%(round)s is closed; thank you for your review."),
        round=round_.name,
    )
    return round_


@transaction.atomic
def reopen_round(actor, round_: Round, reason: str) -> Round:
    """closed → reopened, with a reason: the experts may save and submit again until it
    closes once more (which computes the results again). Refused once a later round
    has taken its items from this round's results."""
    reason = require_reason(reason)
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if Entry.objects.filter(round__source=round_).exists():
        raise ValidationError(
            _("A later round has taken its entries from this round's results already.")
        )
    round_ = move_status(
        actor,
        round_,
        [RoundStatus.CLOSED],
        RoundStatus.REOPENED,
        refused=_("This round is now %(status)s; it was not reopened."),
        note=reason,
        reopen_reason=reason,
    )
    tell(
        _assigned_experts(round_),
        actor,
        gettext_noop("%(round)s is open again: %(reason)s"),
        round=round_.name,
        reason=reason,
    )
    return round_


# -- entries ---------------------------------------------------------------------------


def _forms(round_: Round) -> set[str] | None:
    """The category keys a works round covers (the chosen forms and every form below
    them), or None for every form."""
    if not round_.art_forms:
        return None
    parents = dict(
        WorkCategory.objects.filter(campaign=round_.campaign_id).values_list("key", "parent__key")
    )
    chosen = set(round_.art_forms)

    def within(key: str | None) -> bool:
        seen = set()
        while key and key not in seen:
            if key in chosen:
                return True
            seen.add(key)
            key = parents.get(key)
        return False

    return {key for key in parents if within(key)}


def subject_works(round_: Round):
    """The works a works round takes: eligible (submitted, not disqualified) and of the
    chosen art forms."""
    works = eligible(Work.objects.filter(campaign_id=round_.campaign_id))
    forms = _forms(round_)
    return works if forms is None else works.filter(category__key__in=forms)


def subject_units(round_: Round):
    """The units an organising-unit round takes: those taking part below the owner."""
    campaign = round_.campaign
    owner = campaign.owner_unit()
    units = participation.participating_units(campaign, owner=owner)
    return units.exclude(pk=owner.pk) if owner is not None else units


def subject_people(round_: Round):
    """The people of an individuals round (the coordinators of the units taking part)
    or of an art workers round (the art workers of the campaign's tree, and the authors
    of its eligible works)."""
    campaign = round_.campaign
    owner = campaign.owner_unit()
    if owner is None:
        return Person.objects.none()
    if round_.subject == RoundSubject.INDIVIDUALS:
        units = subject_units(round_)
        return Person.objects.filter(
            user__memberships__role=Role.COORDINATOR, user__memberships__unit__in=units
        ).distinct()
    in_tree = Q(
        user__memberships__role=Role.ARTIST,
        user__memberships__unit__path__startswith=owner.path,
    )
    authors = Q(works__in=eligible(Work.objects.filter(campaign=campaign)))
    return Person.objects.filter(in_tree | authors).distinct()


def _advancing(round_: Round) -> list[Entry]:
    """The source round's entries that go on, by the advance rule."""
    results = round_.source.results.select_related("entry")
    if round_.advance == AdvanceRule.PASSED:
        results = results.filter(passed=True)
    elif round_.advance == AdvanceRule.TOP_K:
        results = results.filter(rank__lte=round_.advance_top_k)
    elif round_.advance == AdvanceRule.ABOVE:
        results = results.filter(final__gte=round_.advance_above)
    else:
        return []
    return [r.entry for r in results.order_by("rank", "entry_id")]


def _next_codes(round_: Round, count: int) -> list[str]:
    """`count` new entry numbers, in random order: in a blind round the number tells
    nothing of the unit or the order works came in."""
    taken = [int(c) for c in round_.entries.values_list("code", flat=True) if c.isdigit()]
    start = max(taken, default=0) + 1
    codes = [f"{n:04d}" for n in range(start, start + count)]
    random.SystemRandom().shuffle(codes)
    return codes


def _create(actor, round_: Round, subjects: list[dict[str, Any]]) -> list[Entry]:
    codes = _next_codes(round_, len(subjects))
    made = []
    for code, subject in zip(codes, subjects, strict=True):
        entry = Entry.objects.create(round=round_, code=code, added_by=login_of(actor), **subject)
        audit.record(actor, AuditAction.CREATE, entry)
        made.append(entry)
    if made:
        tallies.add(round_.pk, entries=len(made))
        refresh_conflicts(actor, round_, entries=made)
    return made


@transaction.atomic
def create_entries(actor, round_: Round) -> list[Entry]:
    """Add the round's items as entries (a draft round): from the source round's results
    by the advance rule, else from its subject — the eligible works of its art forms, the
    units taking part, the people. Items already entered are skipped, so running it again
    adds only what is new. Entries taken from a source round are eligible already
    (checked there), but for a work no longer eligible (withdrawn or disqualified since),
    which waits for a check."""
    round_ = (
        Round.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=round_.pk)
    )
    _refuse_unless_draft(round_)
    existing = list(round_.entries.values_list("work_id", "unit_id", "person_id"))
    have_works = {w for w, _u, _p in existing if w}
    have_units = {u for _w, u, _p in existing if u}
    have_people = {p for _w, _u, p in existing if p}
    if round_.source_id:
        if round_.source.status != RoundStatus.CLOSED:
            raise ValidationError(
                _("The source round %(round)s is not closed yet.") % {"round": round_.source.name}
            )
        still = set(
            eligible(Work.objects.filter(campaign_id=round_.campaign_id)).values_list(
                "pk", flat=True
            )
        )
        subjects = []
        for entry in _advancing(round_):
            if (
                entry.work_id in have_works
                or entry.unit_id in have_units
                or entry.person_id in have_people
            ):
                continue
            ok = entry.work_id is None or entry.work_id in still
            subjects.append(
                {
                    "work_id": entry.work_id,
                    "unit_id": entry.unit_id,
                    "person_id": entry.person_id,
                    "source_entry": entry,
                    "eligibility": Eligibility.ELIGIBLE if ok else Eligibility.PENDING,
                    "eligibility_note": _("Went on from %(round)s.") % {"round": round_.source.name}
                    if ok
                    else "",
                }
            )
        return _create(actor, round_, subjects)
    if round_.subject == RoundSubject.WORKS:
        ids = (
            subject_works(round_)
            .exclude(pk__in=have_works)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        subjects = [{"work_id": pk} for pk in ids]
    elif round_.subject == RoundSubject.UNITS:
        ids = (
            subject_units(round_)
            .exclude(pk__in=have_units)
            .order_by("path")
            .values_list("pk", flat=True)
        )
        subjects = [{"unit_id": pk} for pk in ids]
    else:
        ids = (
            subject_people(round_)
            .exclude(pk__in=have_people)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        subjects = [{"person_id": pk} for pk in ids]
    return _create(actor, round_, subjects)


@transaction.atomic
def add_entry(
    actor,
    round_: Round,
    *,
    work: Work | None = None,
    unit: OrgUnit | None = None,
    person: Person | None = None,
) -> Entry:
    """Add one item by hand (a draft round): a work, a unit or a person of the round's
    subject. A work must be eligible and of the round's art forms."""
    round_ = (
        Round.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=round_.pk)
    )
    _refuse_unless_draft(round_)
    given = [x for x in (work, unit, person) if x is not None]
    if len(given) != 1:
        raise ValidationError(_("Name one work, unit or person."))
    wanted = {
        RoundSubject.WORKS: work,
        RoundSubject.UNITS: unit,
        RoundSubject.INDIVIDUALS: person,
        RoundSubject.ARTISTS: person,
    }[round_.subject]
    if wanted is None:
        raise ValidationError(
            _("This round reviews %(subject)s.") % {"subject": round_.get_subject_display()}
        )
    if work is not None and not subject_works(round_).filter(pk=work.pk).exists():
        raise ValidationError(
            _("“%(title)s” is not an eligible work of this round's art forms.")
            % {"title": work.title}
        )
    if unit is not None and not subject_units(round_).filter(pk=unit.pk).exists():
        raise ValidationError(
            _("%(unit)s does not take part in the campaign.") % {"unit": unit.name}
        )
    field = {"work": work} if work else {"unit": unit} if unit else {"person": person}
    if round_.entries.filter(**field).exists():
        raise ValidationError(_("This is an entry of the round already."))
    return _create(actor, round_, [field])[0]


@transaction.atomic
def remove_entry(actor, entry: Entry, *, reason: str) -> None:
    """Remove an entry of a draft round that has no assignments, with a reason."""
    reason = require_reason(reason)
    entry = Entry.objects.select_for_update(of=("self",)).select_related("round").get(pk=entry.pk)
    _refuse_unless_draft(entry.round)
    if entry.assignments.exists():
        raise ValidationError(_("This entry is assigned: withdraw its assignments first."))
    for conflict in entry.conflicts.all():
        audit.record(actor, AuditAction.DELETE, conflict, note=reason)
    audit.record(actor, AuditAction.DELETE, entry, note=reason)
    had_result = RoundResult.objects.filter(entry=entry).exists()
    entry.delete()
    tallies.add(entry.round_id, entries=-1, results=-1 if had_result else 0)


def is_own_item(actor, entry: Entry) -> bool:
    """Four eyes: the entry is the actor's own — a work they submitted or wrote, they
    themselves, or a unit where they hold a role."""
    user_id = getattr(actor, "pk", None)
    if user_id is None:
        return False
    if entry.work_id:
        work = entry.work
        return work.submitted_by_id == user_id or work.authors.filter(user_id=user_id).exists()
    if entry.person_id:
        return entry.person.user_id == user_id
    return Membership.objects.filter(unit_id=entry.unit_id, user_id=user_id).exists()


@transaction.atomic
def check_entry(actor, entry: Entry, *, eligible: bool, reason: str = "", note: str = "") -> Entry:
    """The eligibility check (审读): eligible, or not with a reason from the list (and a
    note for "other"). Never by the work's submitter or author (four eyes). An entry
    found ineligible drops out of its experts' lists; its scores do not count."""
    entry = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("round__campaign")
        .get(pk=entry.pk)
    )
    if entry.round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    if is_own_item(actor, entry):
        raise ValidationError(
            _("This is your own submission or work: someone else checks its eligibility.")
        )
    note = (note or "").strip()
    if eligible:
        reason = ""
    else:
        if reason not in IneligibleReason.values:
            raise ValidationError({"reason": _("Why not eligible: choose a reason.")})
        if reason == IneligibleReason.OTHER and not note:
            raise ValidationError({"note": _("Note: say why the entry is not eligible.")})
    before = audit.snapshot(entry)
    entry.eligibility = Eligibility.ELIGIBLE if eligible else Eligibility.INELIGIBLE
    entry.ineligible_reason = reason
    entry.eligibility_note = note
    entry.checked_by = login_of(actor)
    entry.checked_at = timezone.now()
    entry.save()
    audit.record(actor, AuditAction.TRANSITION, entry, before=before, note=note)
    if not eligible:
        tell(
            office_of(entry.round.campaign),
            actor,
            gettext_noop("Entry %(code)s of %(round)s was found not eligible: %(reason)s"),
            code=entry.code,
            round=entry.round.name,
            reason=entry.get_ineligible_reason_display(),
        )
    return entry
