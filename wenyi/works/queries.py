from django.db.models import Exists, OuterRef, Q, QuerySet

from wenyi.orgs.enums import Role
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import (
    by_name,
    managed,
    people_managed_by,
    person_of,
    scope_for,
    unit_choices,
    units_managed_by,
)
from wenyi.works.enums import MatchStatus, Origin, WorkStatus
from wenyi.works.models import Match, Work, WorkAuthor


def works_visible_to(user) -> QuerySet[Work]:
    """Managers: their subtree's works. Artists: the works they wrote or entered."""
    if not user.is_authenticated:
        return Work.objects.none()
    own = Work.objects.filter(Q(authors__user=user) | Q(created_by=user)).values("pk")
    return Work.objects.filter(Q(pk__in=own) | managed(user, "unit__"))


def sees(user, field: str) -> Exists:
    """True where the work `field` names (e.g. ``"other"`` on a `Match`) is one of
    `works_visible_to(user)`: for lists that show a work outside the viewer's units
    only as far as comparing it needs (works.views_originality), the rule `works.view`
    in one query."""
    return Exists(works_visible_to(user).filter(pk=OuterRef(field)))


def units_for_entry(user, keep: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Units a work may be entered for: managed units, and an art worker's own unit;
    none retired (but `keep`, the unit a work being edited already has)."""
    q = Q(pk__in=units_managed_by(user).values("pk"))
    person = person_of(user)
    if person is not None and Role.ARTIST in scope_for(user).roles:
        q |= Q(pk=person.unit_id)
    return unit_choices(OrgUnit.objects.filter(q), keep=keep)


def authors_for_entry(user) -> QuerySet[Person]:
    """Possible authors: the people of the managed units; an art worker's own unit's
    (others: themselves)."""
    q = Q(pk__in=people_managed_by(user).values("pk"))
    person = person_of(user)
    if person is not None:
        q |= Q(unit_id=person.unit_id) if Role.ARTIST in scope_for(user).roles else Q(pk=person.pk)
    return by_name(Person.objects.filter(q).select_related("unit"))


def by_title(works: QuerySet[Work]) -> QuerySet[Work]:
    """Works in the order of their titles' pinyin (core.sorting), homophones by the
    characters, then by id."""
    return works.order_by("title_sort", "title", "id")


def disqualified() -> Exists:
    """True for a work the office disqualified as a copy of another (any of its possible
    copies decided so)."""
    return Exists(Match.objects.filter(work=OuterRef("pk"), status=MatchStatus.DISQUALIFIED))


def with_standing(works: QuerySet[Work]) -> QuerySet[Work]:
    """The works with `disqualified` (bool) for lists and pages to show."""
    return works.annotate(disqualified=disqualified())


def eligible(works: QuerySet[Work]) -> QuerySet[Work]:
    """Works that may go on to review, awards and the anthology: submitted, and not
    disqualified."""
    return works.filter(status=WorkStatus.SUBMITTED).exclude(disqualified())


def filter_works(works: QuerySet[Work], params, units: QuerySet[OrgUnit]) -> QuerySet[Work]:
    """`works` (scoped to the login) narrowed as the works list narrows them: `form` (an
    art form or its parent), `unit` (one of `units`, with those below it), `status`
    (or "disqualified"), `origin`, `q` (title or an author's name)."""
    form = params.get("form", "")
    if form:
        works = works.filter(Q(category__key=form) | Q(category__parent__key=form))
    code = params.get("unit", "")
    if code:
        unit = units.filter(code=code).first()
        works = works.filter(unit__path__startswith=unit.path) if unit else works.none()
    if params.get("status") == "disqualified":
        works = works.filter(disqualified())
    elif params.get("status") in WorkStatus.values:
        works = works.filter(status=params["status"])
    if params.get("origin") in Origin.values:
        works = works.filter(origin=params["origin"])
    q = params.get("q", "").strip()
    if q:
        works = works.filter(
            Q(title__icontains=q)
            | Q(pk__in=WorkAuthor.objects.filter(person__name__icontains=q).values("work_id"))
        )
    return works
