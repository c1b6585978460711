"""Every change to the committee, declared relations, conflicts and assignments of the
experts' review: one function each, audited, with notices. Rounds and their entries
are changed in wenyi.review.rounds, scores and results in wenyi.review.scoring.

- **Committee**: `set_up_committee`, `add_expert`, `remove_expert`.
- **Relations** an expert or an author declares (or the office for them):
  `declare_relation`, `withdraw_relation`.
- **Conflicts**: `refresh_conflicts` stores what wenyi.review.conflicts finds;
  `declare_conflict` (an expert, during the review) and `dismiss_conflict` (the office,
  with a reason, never for itself); `blocking` says why a pair must not meet.
- **Assignments**: `assign` / `unassign` by hand, refusing conflicts and entries not
  eligible; `auto_assign` (wenyi.review.assign: fair, balanced, conflict-free, with the
  consistency check's second panel) and `assign_second_look` for an approval round's
  rejected entries.

Who may call which is declared in wenyi.review.rules and checked by the views; the
services check the states and the four eyes, and refuse with a message that says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.core import audit, notify
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.queries import offices_for
from wenyi.review import aggregate, conflicts
from wenyi.review import assign as assign_engine
from wenyi.review.enums import (
    ACTIVE,
    AssignmentSource,
    ConflictSource,
    Eligibility,
    RelationKind,
    RoundKind,
    RoundStatus,
    ScoreStatus,
)
from wenyi.review.models import (
    Assignment,
    Committee,
    CommitteeMember,
    Conflict,
    Entry,
    Relation,
    Round,
    Score,
)

# -- shared --------------------------------------------------------------------------


def login_of(actor):
    """The acting login, or None for the system (a command, a task)."""
    return actor if getattr(actor, "pk", None) else None


def require_reason(reason: str, label: str | None = None) -> str:
    """The reason, trimmed; refused when empty."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("%(field)s: say why.") % {"field": label or _("Reason")})
    return reason


def tell(users, actor, message: str, kind: str = NoticeKind.REVIEW, **values) -> None:
    """A notice to `users` (but the actor), composed in the site's language."""
    with notify.site_language():
        text = _(message) % values
    notify.notify([u for u in users if u is not None], text, kind=kind, exclude=actor)


def office_of(campaign: Campaign) -> list:
    """The logins of the office that runs a campaign's review."""
    owner = campaign.owner_unit()
    return offices_for(owner) if owner is not None else []


def _experts_users(persons: Iterable[Person]) -> list:
    return [p.user for p in persons if p.user_id]


# -- committee -----------------------------------------------------------------------


@transaction.atomic
def set_up_committee(actor, campaign: Campaign, *, name: str) -> Committee:
    """The campaign's expert committee, made or renamed."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name: give the committee a name.")})
    committee = Committee.objects.select_for_update(of=("self",)).filter(campaign=campaign).first()
    if committee is None:
        committee = Committee.objects.create(campaign=campaign, name=name)
        audit.record(actor, AuditAction.CREATE, committee)
    elif committee.name != name:
        before = audit.snapshot(committee)
        committee.name = name
        committee.save(update_fields=["name", "updated_at"])
        audit.record(actor, AuditAction.UPDATE, committee, before=before)
    return committee


def _committee(campaign: Campaign) -> Committee:
    committee = Committee.objects.filter(campaign=campaign).first()
    if committee is None:
        raise ValidationError(_("Set up the campaign's expert committee first."))
    return committee


@transaction.atomic
def add_expert(actor, campaign: Campaign, person: Person) -> CommitteeMember:
    """Add a person whose login holds the expert role to the committee; they hear of it,
    and their conflicts with the entries of the rounds not yet closed are found."""
    committee = _committee(campaign)
    if (
        not person.user_id
        or not Membership.objects.filter(user_id=person.user_id, role=Role.EXPERT).exists()
    ):
        raise ValidationError(
            _("%(name)s does not hold the expert role: give it first.") % {"name": person.name}
        )
    owner = campaign.owner_unit()
    if (
        owner is not None
        and Membership.objects.filter(
            user_id=person.user_id, role=Role.SUPERVISOR, unit__path__in=owner.ancestor_paths()
        ).exists()
    ):
        # the supervisor reads the review and scores nothing (DESIGN.md)
        raise ValidationError(
            _("%(name)s supervises this campaign's review and does not score.")
            % {"name": person.name}
        )
    if committee.member_links.filter(person=person).exists():
        raise ValidationError(_("%(name)s is on the committee already.") % {"name": person.name})
    member = CommitteeMember.objects.create(
        committee=committee, person=person, added_by=login_of(actor)
    )
    audit.record(actor, AuditAction.CREATE, member)
    for round_ in campaign.review_rounds.exclude(status=RoundStatus.CLOSED):
        refresh_conflicts(actor, round_, experts=[person])
    tell(
        [person.user],
        actor,
        gettext_noop("You were added to %(committee)s as an expert."),
        kind=NoticeKind.ROLE,
        committee=committee.name,
    )
    return member


def serving_experts(campaign_id: int):
    """The committee's experts who still hold the expert role with a login switched on:
    the only ones given new work. Taking the role away leaves the committee seat (and the
    scores given) as they are; the office sees the seat marked on the review page."""
    return Person.objects.filter(
        committees__campaign_id=campaign_id,
        user__is_active=True,
        user__memberships__role=Role.EXPERT,
    ).distinct()


@transaction.atomic
def remove_expert(actor, campaign: Campaign, person: Person) -> None:
    """Take an expert off the committee; refused while they hold assignments in a round
    that is not closed (withdraw those first: their scores are part of the round)."""
    committee = _committee(campaign)
    member = committee.member_links.filter(person=person).first()
    if member is None:
        raise ValidationError(_("%(name)s is not on the committee.") % {"name": person.name})
    held = Assignment.objects.filter(expert=person, entry__round__campaign=campaign).exclude(
        entry__round__status=RoundStatus.CLOSED
    )
    if held.exists():
        raise ValidationError(
            _("%(name)s still has %(n)s assignments in rounds not closed: withdraw them first.")
            % {"name": person.name, "n": held.count()}
        )
    audit.record(actor, AuditAction.DELETE, member)
    member.delete()
    tell(
        [person.user],
        actor,
        gettext_noop("You are no longer an expert of %(committee)s."),
        kind=NoticeKind.ROLE,
        committee=committee.name,
    )


# -- declared relations ------------------------------------------------------------


def _rounds_concerning(people: Iterable[int]) -> list[Round]:
    """The rounds not closed in which any of these people is an expert or under review
    (as the person of an entry or an author of its work)."""
    people = list(people)
    return list(
        Round.objects.exclude(status=RoundStatus.CLOSED)
        .filter(
            Q(campaign__committee__members__in=people)
            | Q(entries__person__in=people)
            | Q(entries__work__authors__in=people)
        )
        .distinct()
    )


@transaction.atomic
def declare_relation(
    actor,
    *,
    person: Person,
    kind: str,
    other_person: Person | None = None,
    other_unit: OrgUnit | None = None,
    reason: str = "",
) -> Relation:
    """Declare a relation of `person` (an expert, or an author) to another person or to a
    unit; the conflicts it makes are found at once in the rounds not yet closed."""
    reason = (reason or "").strip()
    if kind not in RelationKind.values:
        raise ValidationError({"kind": _("Relation: choose one of the list.")})
    if (other_person is None) == (other_unit is None):
        raise ValidationError(_("Name either a person or a unit the relation is with."))
    if other_person is not None and other_person.pk == person.pk:
        raise ValidationError(_("A relation is with someone else."))
    if kind == RelationKind.OTHER and not reason:
        raise ValidationError({"reason": _("Reason: say what the relation is.")})
    other = {"other_person": other_person} if other_person else {"other_unit": other_unit}
    if Relation.objects.filter(person=person, kind=kind, **other).exists():
        raise ValidationError(_("This relation is declared already."))
    relation = Relation.objects.create(
        person=person, kind=kind, reason=reason, declared_by=login_of(actor), **other
    )
    audit.record(actor, AuditAction.CREATE, relation)
    people = [person.pk] + ([other_person.pk] if other_person else [])
    for round_ in _rounds_concerning(people):
        refresh_conflicts(actor, round_)
    return relation


@transaction.atomic
def withdraw_relation(actor, relation: Relation, *, reason: str) -> None:
    """Withdraw a declared relation, with a reason; the conflicts it made go with it."""
    reason = require_reason(reason)
    people = [relation.person_id] + ([relation.other_person_id] if relation.other_person_id else [])
    for conflict in relation.conflicts.all():
        audit.record(actor, AuditAction.DELETE, conflict, note=reason)
    audit.record(actor, AuditAction.DELETE, relation, note=reason)
    relation.delete()
    for round_ in _rounds_concerning(people):
        refresh_conflicts(actor, round_)


# -- conflicts -------------------------------------------------------------------------


@transaction.atomic
def refresh_conflicts(
    actor,
    round_: Round,
    *,
    experts: Iterable[Person] | None = None,
    entries: Iterable[Entry] | None = None,
) -> list[Conflict]:
    """Store the conflicts wenyi.review.conflicts finds in a round not closed (for the
    experts and entries given, else all): new ones are added, computed ones that no
    longer hold (a relation withdrawn, a unit moved) removed; declared ones and
    dismissals stay. Returns the new conflicts; the office hears of those that hit an
    existing assignment."""
    if round_.status == RoundStatus.CLOSED:
        return []
    experts = list(experts) if experts is not None else None
    entries = list(entries) if entries is not None else None
    found = conflicts.find(round_, experts=experts, entries=entries)
    stored = Conflict.objects.filter(entry__round=round_).exclude(source=ConflictSource.DECLARED)
    if experts is not None:
        stored = stored.filter(expert__in=[p.pk for p in experts])
    if entries is not None:
        stored = stored.filter(entry__in=[e.pk for e in entries])
    existing = {(c.entry_id, c.expert_id, c.source, c.relation_id): c for c in stored}
    made = []
    for (entry_id, expert_id), reasons in found.items():
        for reason in reasons:
            key = (entry_id, expert_id, reason.source, reason.relation_id)
            if existing.pop(key, None) is not None:
                continue
            conflict = Conflict.objects.create(
                entry_id=entry_id,
                expert_id=expert_id,
                source=reason.source,
                relation_id=reason.relation_id,
                reason=reason.reason,
            )
            audit.record(actor, AuditAction.CREATE, conflict)
            made.append(conflict)
    for conflict in existing.values():
        audit.record(actor, AuditAction.DELETE, conflict, note=_("No longer holds."))
        conflict.delete()
    hit = {
        (a.entry_id, a.expert_id)
        for a in Assignment.objects.filter(entry__round=round_).only("entry_id", "expert_id")
    }
    clashes = [c for c in made if (c.entry_id, c.expert_id) in hit]
    if clashes:
        tell(
            office_of(round_.campaign),
            actor,
            gettext_noop(
                "%(round)s: %(n)s assignments now meet a conflict of interest; assign "
                "those entries to other experts."
            ),
            round=round_.name,
            n=len(clashes),
        )
    return made


@transaction.atomic
def declare_conflict(actor, entry: Entry, *, reason: str, expert: Person | None = None) -> Conflict:
    """An expert declares a conflict with an entry during the review, with a reason (or
    the office records one for an expert): from then on the entry leaves their list.
    The office hears of it, to assign the entry to someone else."""
    reason = require_reason(reason)
    entry = Entry.objects.select_related("round__campaign").get(pk=entry.pk)
    if entry.round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    if expert is None:
        expert = Person.objects.filter(user_id=getattr(actor, "pk", None)).first()
        if expert is None or not entry.assignments.filter(expert=expert).exists():
            raise ValidationError(
                _("Only an expert this entry is assigned to declares a conflict.")
            )
    conflict = Conflict.objects.filter(
        entry=entry, expert=expert, source=ConflictSource.DECLARED
    ).first()
    if conflict is not None and conflict.blocks:
        raise ValidationError(_("This conflict is declared already."))
    if conflict is None:
        conflict = Conflict.objects.create(
            entry=entry,
            expert=expert,
            source=ConflictSource.DECLARED,
            reason=reason,
            declared_by=login_of(actor),
        )
        audit.record(actor, AuditAction.CREATE, conflict)
    else:  # declared again after the office dismissed it
        before = audit.snapshot(conflict)
        conflict.reason, conflict.declared_by = reason, login_of(actor)
        conflict.dismissed_at, conflict.dismissed_by, conflict.dismiss_reason = None, None, ""
        conflict.save()
        audit.record(actor, AuditAction.UPDATE, conflict, before=before)
    tell(
        office_of(entry.round.campaign),
        actor,
        gettext_noop(
            "%(expert)s declared a conflict of interest with entry %(code)s of "
            "%(round)s: %(reason)s"
        ),
        expert=expert.name,
        code=entry.code,
        round=entry.round.name,
        reason=reason,
    )
    return conflict


@transaction.atomic
def dismiss_conflict(actor, conflict: Conflict, *, reason: str) -> Conflict:
    """The office dismisses a conflict, with a reason: it no longer keeps the expert from
    the entry. Never the conflicted expert themselves (four eyes)."""
    reason = require_reason(reason)
    conflict = (
        Conflict.objects.select_for_update(of=("self",))
        .select_related("expert", "entry__round")
        .get(pk=conflict.pk)
    )
    if conflict.entry.round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    if conflict.expert.user_id is not None and conflict.expert.user_id == getattr(
        actor, "pk", None
    ):
        raise ValidationError(_("This conflict is your own: someone else decides on it."))
    if not conflict.blocks:
        raise ValidationError(_("This conflict is dismissed already."))
    before = audit.snapshot(conflict)
    conflict.dismissed_at = timezone.now()
    conflict.dismissed_by = login_of(actor)
    conflict.dismiss_reason = reason
    conflict.save()
    audit.record(actor, AuditAction.TRANSITION, conflict, before=before, note=reason)
    tell(
        [conflict.expert.user],
        actor,
        gettext_noop(
            "Your conflict of interest with entry %(code)s of %(round)s was dismissed: %(reason)s"
        ),
        code=conflict.entry.code,
        round=conflict.entry.round.name,
        reason=reason,
    )
    return conflict


def blocking(entry: Entry, expert: Person) -> list[str]:
    """Why `expert` must stay away from `entry`: the stored conflicts not dismissed, and
    any the graph finds now that is not stored and dismissed (a relation declared a
    minute ago counts). [] when nothing blocks."""
    stored = list(Conflict.objects.filter(entry=entry, expert=expert))
    reasons = [c.reason or c.get_source_display() for c in stored if c.blocks]
    dismissed = {(c.source, c.relation_id) for c in stored if not c.blocks}
    for found in conflicts.between(expert, entry):
        if (found.source, found.relation_id) in dismissed:
            continue
        if not any(c.source == found.source and c.relation_id == found.relation_id for c in stored):
            reasons.append(found.reason)
    return reasons


# -- assignments -----------------------------------------------------------------------


@transaction.atomic
def assign(
    actor,
    entry: Entry,
    expert: Person,
    *,
    panel: int = 1,
    source: str = AssignmentSource.MANUAL,
) -> Assignment:
    """Give an entry to an expert of the committee. Refused for an entry not eligible, a
    closed round, an expert with a conflict (回避) or one already given it. The expert
    hears of it once the round is open."""
    entry = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("round__campaign")
        .get(pk=entry.pk)
    )
    round_ = entry.round
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    if entry.eligibility != Eligibility.ELIGIBLE:
        raise ValidationError(
            _("Entry %(code)s is %(state)s: only eligible entries are assigned.")
            % {"code": entry.code, "state": entry.get_eligibility_display()}
        )
    if not Person.objects.filter(pk=expert.pk, committees__campaign=round_.campaign).exists():
        raise ValidationError(
            _("%(name)s is not an expert of the committee.") % {"name": expert.name}
        )
    if not serving_experts(round_.campaign_id).filter(pk=expert.pk).exists():
        raise ValidationError(
            _("%(name)s no longer holds the expert role (or the login is switched off).")
            % {"name": expert.name}
        )
    reasons = blocking(entry, expert)
    if reasons:
        raise ValidationError(
            _("%(name)s has a conflict of interest with entry %(code)s: %(reasons)s")
            % {"name": expert.name, "code": entry.code, "reasons": "；".join(reasons)}
        )
    if panel not in (1, 2):
        raise ValidationError(_("Panel: 1 or 2."))
    if entry.assignments.filter(expert=expert).exists():
        raise ValidationError(
            _("Entry %(code)s is assigned to %(name)s already.")
            % {"code": entry.code, "name": expert.name}
        )
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                entry=entry, expert=expert, panel=panel, source=source, created_by=login_of(actor)
            )
    except IntegrityError:
        raise ValidationError(
            _("Entry %(code)s is assigned to %(name)s already.")
            % {"code": entry.code, "name": expert.name}
        ) from None
    audit.record(actor, AuditAction.CREATE, assignment)
    if round_.is_active:
        tell(
            [expert.user],
            actor,
            gettext_noop("%(round)s: entry %(code)s was assigned to you."),
            round=round_.name,
            code=entry.code,
        )
    return assignment


@transaction.atomic
def unassign(actor, assignment: Assignment, *, reason: str = "") -> None:
    """Withdraw an assignment (a draft score goes with it). Refused once its score is
    submitted: the office returns the score first (scoring.return_score)."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("entry__round", "expert__user")
        .get(pk=assignment.pk)
    )
    round_ = assignment.entry.round
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    score = Score.objects.filter(assignment=assignment).order_by("pk").first()
    if score is not None and score.status == ScoreStatus.SUBMITTED:
        raise ValidationError(_("The expert has submitted this score: return it first."))
    if score is not None:
        audit.record(actor, AuditAction.DELETE, score, note=reason)
    audit.record(actor, AuditAction.DELETE, assignment, note=reason)
    assignment.delete()
    if round_.is_active:
        tell(
            [assignment.expert.user],
            actor,
            gettext_noop("%(round)s: entry %(code)s is no longer assigned to you."),
            round=round_.name,
            code=assignment.entry.code,
        )


# -- automatic assignment --------------------------------------------------------------


def expert_forms(person: Person, categories: list[WorkCategory]) -> frozenset[str]:
    """The category keys an expert knows: each of their art forms (`Person.art_forms`,
    as people write them: 书法, 文学, 诗词) matched to a category by its key, its name,
    or a name in its brackets (诗词（诗歌） is 诗歌 too), with every form below it."""
    wanted = {form.strip() for form in person.art_forms or [] if form.strip()}
    children: dict[str | None, list[WorkCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    found: set[str] = set()

    def take(category: WorkCategory) -> None:
        found.add(category.key)
        for child in children.get(category.pk, []):
            take(child)

    for category in categories:
        names = {category.key, category.name}
        names |= {part for part in re.split(r"[（）()、/]", category.name) if part}
        if names & wanted:
            take(category)
    return frozenset(found)


@dataclass
class AutoAssigned:
    """What `auto_assign` did: the assignments made, and the engine's result (its
    problems: codes for the page to word, wenyi.review.assign.ProblemCode)."""

    made: list[Assignment]
    result: assign_engine.AssignmentResult | None
    second_panel: assign_engine.AssignmentResult | None = None


def _engine_run(
    actor, round_: Round, entries: list[Entry], experts: list[Person], panel: int, extra=()
) -> tuple[list[Assignment], assign_engine.AssignmentResult]:
    """One call of the assignment engine for `panel` of the round: the entries and
    experts given, conflicts and `extra` pairs forbidden, the panel's existing pairs
    kept; the new pairs stored."""
    categories = list(WorkCategory.objects.filter(campaign_id=round_.campaign_id))
    items = [assign_engine.Item(e.pk, e.work.category.key if e.work_id else None) for e in entries]
    pool = [assign_engine.Expert(p.pk, expert_forms(p, categories)) for p in experts]
    ids = [e.pk for e in entries]
    forbidden = set(
        Conflict.objects.filter(entry__in=ids, dismissed_at__isnull=True).values_list(
            "entry_id", "expert_id"
        )
    )
    forbidden |= set(extra)
    expert_ids = {p.pk for p in experts}
    present = list(
        Assignment.objects.filter(entry__in=ids, panel=panel).values_list("entry_id", "expert_id")
    )
    fixed = [pair for pair in present if pair[1] in expert_ids and pair not in forbidden]
    result = assign_engine.assign_reviewers(
        items, pool, round_.reviewers_per_item, forbidden=forbidden, fixed=fixed
    )
    kept = set(present)
    by_id = {e.pk: e for e in entries}
    made = []
    for entry_id, expert_id in result.pairs:
        if (entry_id, expert_id) in kept:
            continue
        assignment = Assignment.objects.create(
            entry=by_id[entry_id],
            expert_id=expert_id,
            panel=panel,
            source=AssignmentSource.AUTO,
            created_by=login_of(actor),
        )
        audit.record(actor, AuditAction.CREATE, assignment)
        made.append(assignment)
    return made, result


@transaction.atomic
def auto_assign(actor, round_: Round) -> AutoAssigned:
    """Give every eligible entry of the round `reviewers_per_item` experts of the
    committee, fairly (wenyi.review.assign: never a conflict, loads balanced, the worst
    matched entry's experts of its art form as many as possible), keeping the
    assignments already made. With a consistency share, a seeded random share of the
    entries also gets a second, independent panel (panel 2) for the consistency check.
    Conflicts are found afresh first; each expert given entries hears of it once the
    round is open. Running it again adds only what is missing."""
    round_ = (
        Round.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=round_.pk)
    )
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    refresh_conflicts(actor, round_)
    experts = list(serving_experts(round_.campaign_id))
    if not experts:
        raise ValidationError(_("The committee has no experts yet."))
    entries = list(
        round_.entries.filter(eligibility=Eligibility.ELIGIBLE)
        .select_related("work__category")
        .order_by("pk")
    )
    if not entries:
        return AutoAssigned([], None)
    made, result = _engine_run(actor, round_, entries, experts, panel=1)
    second = None
    if round_.consistency_share and round_.kind != RoundKind.APPROVAL:
        sample = set(
            aggregate.second_panel_sample(
                [e.pk for e in entries], float(round_.consistency_share), seed=round_.pk
            ).tolist()
        )
        first = set(
            Assignment.objects.filter(entry__round=round_, panel=1).values_list(
                "entry_id", "expert_id"
            )
        )
        chosen = [e for e in entries if e.pk in sample]
        more, second = _engine_run(actor, round_, chosen, experts, panel=2, extra=first)
        made += more
    _announce(actor, round_, made)
    return AutoAssigned(made, result, second)


@transaction.atomic
def assign_second_look(actor, round_: Round) -> AutoAssigned:
    """An approval round with a second look: the entries its first panel rejected (every
    vote in, fewer yes than `pass_with`) go to a second group of experts (panel 2), none
    of whom saw them in the first."""
    round_ = (
        Round.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=round_.pk)
    )
    if round_.kind != RoundKind.APPROVAL or not round_.second_look:
        raise ValidationError(_("This round has no second look."))
    if round_.status not in ACTIVE:
        raise ValidationError(_("A second look is given while the round is open."))
    refresh_conflicts(actor, round_)
    rejected = []
    for entry in (
        round_.entries.filter(eligibility=Eligibility.ELIGIBLE)
        .select_related("work__category")
        .prefetch_related("assignments__score")
        .order_by("pk")
    ):
        first = [a for a in entry.assignments.all() if a.panel == 1]
        scores = [getattr(a, "score", None) for a in first]
        if not first or any(s is None or s.status != ScoreStatus.SUBMITTED for s in scores):
            continue
        if sum(s.vote == "yes" for s in scores) < round_.pass_with:
            rejected.append(entry)
    if not rejected:
        return AutoAssigned([], None)
    experts = list(serving_experts(round_.campaign_id))
    first = set(
        Assignment.objects.filter(entry__in=rejected, panel=1).values_list("entry_id", "expert_id")
    )
    made, result = _engine_run(actor, round_, rejected, experts, panel=2, extra=first)
    _announce(actor, round_, made)
    return AutoAssigned(made, result)


def _announce(actor, round_: Round, made: list[Assignment]) -> None:
    if not made or not round_.is_active:
        return
    per_expert: dict[int, int] = {}
    for assignment in made:
        per_expert[assignment.expert_id] = per_expert.get(assignment.expert_id, 0) + 1
    for person in Person.objects.filter(pk__in=per_expert).select_related("user"):
        tell(
            [person.user],
            actor,
            gettext_noop("%(round)s: %(n)s more entries were assigned to you."),
            round=round_.name,
            n=per_expert[person.pk],
        )
