"""Conflicts of interest (回避): which expert must stay away from which entry, and why.

Computed from a graph whose nodes are people and units, with two kinds of edges:

- **Units.** An expert's unit (`Person.unit`) and an entry's units — the work's unit and
  each author's unit; the unit under review; the person's unit — are *related* when
  they are the same unit, or one contains the other (the materialised paths share a
  prefix: `OrgUnit.contains`). Containment is the organisational line a recommendation
  travels (an enterprise's work goes up through its county), so a county's expert is
  kept from its enterprises' works and an enterprise's expert from its county's. The
  campaign's owner unit and the units above it are **neutral** for containment: they
  contain every unit of the campaign, and the organising office's own experts (who sit
  there) would otherwise be barred from everything; an entry *of* the owner unit is
  still the same unit to them. Two sibling units (two enterprises of one county) are
  no conflict by themselves: where that matters, the relation
  `same_recommending_unit` is declared.
- **Declared relations** (`Relation`): the expert's relation to a person of the entry
  (an author, the person under review), or to a unit related to one of the entry's
  units as above; and a relation declared *for* such a person naming the expert, or a
  unit related to the expert's unit.

Each conflict found names its source (`unit` or `relation`, with the relation) and a
reason a person can read. Conflicts an expert declares during the review, and the
office's dismissals, are rows (`Conflict`) written by wenyi.review.services, which
stores what this module finds (`services.refresh_conflicts`).

`find` reads everything it needs in a fixed number of queries (experts, entries with
their authors, relations) and compares in memory: E experts × N entries, each against
a handful of unit paths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from wenyi.core import notify
from wenyi.orgs.models import Person
from wenyi.review.enums import ConflictSource
from wenyi.review.models import Entry, Relation, Round
from wenyi.works.models import WorkAuthor


@dataclass(frozen=True)
class Found:
    """One reason an expert must stay away from an entry."""

    source: str  # ConflictSource.UNIT or RELATION
    relation_id: int | None
    reason: str


@dataclass
class _Item:
    """What of an entry the graph compares: its units {path: name} and its people."""

    units: dict[str, str]
    people: set[int]


def related(a: str, b: str, neutral: frozenset[str] = frozenset()) -> bool:
    """Whether unit paths `a` and `b` are the same, or one lies within the other where
    the containing one is not `neutral` (the owner unit and above)."""
    if a == b:
        return True
    if a.startswith(b):
        return b not in neutral
    if b.startswith(a):
        return a not in neutral
    return False


def neutral_paths(round_: Round) -> frozenset[str]:
    owner = round_.campaign.owner_unit()
    return frozenset(owner.ancestor_paths()) if owner is not None else frozenset()


def _items(entries: Iterable[Entry]) -> dict[int, _Item]:
    entries = list(entries)
    work_ids = [e.work_id for e in entries if e.work_id]
    authors: dict[int, list[Person]] = defaultdict(list)
    links = WorkAuthor.objects.filter(work_id__in=work_ids).select_related("person__unit")
    for link in links:
        authors[link.work_id].append(link.person)
    items = {}
    for entry in entries:
        if entry.work_id:
            work = entry.work
            units = {work.unit.path: work.unit.name}
            people = set()
            for person in authors[work.pk]:
                units.setdefault(person.unit.path, person.unit.name)
                people.add(person.pk)
        elif entry.unit_id:
            units, people = {entry.unit.path: entry.unit.name}, set()
        else:
            person = entry.person
            units, people = {person.unit.path: person.unit.name}, {person.pk}
        items[entry.pk] = _Item(units, people)
    return items


def find(
    round_: Round,
    *,
    experts: Iterable[Person] | None = None,
    entries: Iterable[Entry] | None = None,
) -> dict[tuple[int, int], list[Found]]:
    """{(entry id, expert person id): [Found, …]} for the round's entries and its
    committee's experts (or the ones given); pairs without a conflict are left out."""
    # read again, with their units as they are now
    if experts is None:
        chosen = Person.objects.filter(committees__campaign_id=round_.campaign_id).distinct()
    else:
        chosen = Person.objects.filter(pk__in=[p.pk for p in experts])
    experts = list(chosen.select_related("unit"))
    if not experts:
        return {}  # a round without a committee yet
    if entries is None:
        subjects = round_.entries.all()
    else:
        subjects = Entry.objects.filter(pk__in=[e.pk for e in entries])
    items = _items(subjects.select_related("work__unit", "unit", "person__unit"))
    neutral = neutral_paths(round_)
    expert_ids = {p.pk for p in experts}
    people = set().union(*(item.people for item in items.values())) if items else set()
    relations = list(
        Relation.objects.filter(Q(person__in=expert_ids) | Q(person__in=people)).select_related(
            "person", "other_person", "other_unit"
        )
    )
    of_expert: dict[int, list[Relation]] = defaultdict(list)
    of_person: dict[int, list[Relation]] = defaultdict(list)
    for relation in relations:
        if relation.person_id in expert_ids:
            of_expert[relation.person_id].append(relation)
        if relation.person_id in people:
            of_person[relation.person_id].append(relation)

    found: dict[tuple[int, int], list[Found]] = {}
    with notify.site_language():  # reasons are stored and read by others
        for expert in experts:
            for entry_id, item in items.items():
                reasons = _between(expert, item, neutral, of_expert, of_person)
                if reasons:
                    found[(entry_id, expert.pk)] = reasons
    return found


def _between(
    expert: Person,
    item: _Item,
    neutral: frozenset[str],
    of_expert: dict[int, list[Relation]],
    of_person: dict[int, list[Relation]],
) -> list[Found]:
    reasons: list[Found] = []
    home = expert.unit
    for path, name in item.units.items():
        if related(home.path, path, neutral):
            if home.path == path:
                text = _("The expert's unit is %(unit)s, the entry's unit.") % {"unit": name}
            else:
                text = _(
                    "The expert's unit %(expert_unit)s and the entry's unit %(unit)s lie "
                    "one within the other."
                ) % {"expert_unit": home.name, "unit": name}
            reasons.append(Found(ConflictSource.UNIT, None, text))
            break
    for relation in of_expert.get(expert.pk, ()):
        if relation.other_person_id in item.people or (
            relation.other_unit_id
            and any(related(relation.other_unit.path, p, neutral) for p in item.units)
        ):
            reasons.append(Found(ConflictSource.RELATION, relation.pk, _describe(relation)))
    for person in item.people:
        for relation in of_person.get(person, ()):
            if relation.other_person_id == expert.pk or (
                relation.other_unit_id and related(relation.other_unit.path, home.path, neutral)
            ):
                reasons.append(Found(ConflictSource.RELATION, relation.pk, _describe(relation)))
    return reasons


def _describe(relation: Relation) -> str:
    other = relation.other_person.name if relation.other_person_id else relation.other_unit.name
    text = _("%(person)s declared: %(relation)s of %(other)s.") % {
        "person": relation.person.name,
        "relation": relation.get_kind_display(),
        "other": other,
    }
    return f"{text} {relation.reason}".strip()


def between(expert: Person, entry: Entry) -> list[Found]:
    """The conflicts between one expert and one entry (for a check at assignment and at
    scoring: a relation declared a minute ago counts)."""
    return find(entry.round, experts=[expert], entries=[entry]).get((entry.pk, expert.pk), [])
