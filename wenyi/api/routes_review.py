"""An expert's review through the API: the entries given to them in open rounds and their
scores, exactly as the scoring pages show them — never an entry they may not score, and
in a blind round no author's or unit's name."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenyi.api.base import Pages
from wenyi.api.problems import Problem, refused
from wenyi.core.permissions import allowed, require
from wenyi.review import queries, scoring
from wenyi.review.enums import ACTIVE, RoundKind, ScoreStatus
from wenyi.review.models import Assignment, Round
from wenyi.works.models import WorkAuthor

router = Router(tags=["expert review"])

# what an entry's answer reads, in one query
ENTRY = (
    "entry__round__campaign",
    "entry__work__category__parent",
    "entry__work__unit",
    "entry__unit",
    "entry__person__unit",
    "score",
)


class RoundOut(Schema):
    key: str
    name: str
    kind: str
    blind: bool
    opens: datetime.date | None
    closes: datetime.date | None


class CriterionOut(Schema):
    key: str
    name: str
    description: str
    weight: Decimal
    maximum: Decimal


class ScoreOut(Schema):
    status: str
    version: int
    vote: str
    values: dict[str, str]
    total: Decimal | None
    rank: int | None
    comment: str
    submitted_at: datetime.datetime | None
    returned_reason: str


class EntryOut(Schema):
    """`authors`, `unit_name` and `name` are null in a blind round."""

    entry: int
    code: str
    campaign: str
    round: RoundOut
    subject: str
    title: str
    art_form: str
    text: str
    name: str | None
    authors: list[str] | None
    unit_name: str | None
    criteria: list[CriterionOut]
    score: ScoreOut | None


class _Round:
    """What every entry of one round shares for one login: names or not, the criteria."""

    def __init__(self, user, assignment: Assignment):
        round_ = assignment.entry.round
        # decided on one entry, as the queue does: every entry of the list is the expert's
        self.names = allowed(user, "review.see_names", assignment.entry)
        self.criteria = list(round_.criteria.all()) if round_.kind == RoundKind.SCORING else []


def _entry_out(user, assignment: Assignment, shared: _Round | None = None) -> EntryOut:
    entry, round_ = assignment.entry, assignment.entry.round
    shared = shared or _Round(user, assignment)
    names = shared.names
    work = entry.work if entry.work_id else None
    if work is not None:
        subject, title, art_form, text = "work", work.title, work.category.name, work.text
        name = None
        unit_name = work.unit.name if names else None
        authors = [link.person.name for link in work.author_links.all()] if names else None
    elif entry.unit_id:
        subject, title, art_form, text = "unit", "", "", ""
        name = entry.unit.name if names else None
        unit_name, authors = name, None
    else:
        subject, title, art_form, text = "person", "", "", ""
        name = entry.person.name if names else None
        unit_name = entry.person.unit.name if names and entry.person.unit_id else None
        authors = None
    criteria = scoring.criteria_for(entry, shared.criteria) if shared.criteria else []
    score = getattr(assignment, "score", None)
    return EntryOut(
        entry=entry.pk,
        code=entry.code,
        campaign=round_.campaign.slug,
        round=RoundOut.from_orm(round_),
        subject=subject,
        title=title,
        art_form=art_form,
        text=text,
        name=name,
        authors=authors,
        unit_name=unit_name,
        criteria=[CriterionOut.from_orm(c) for c in criteria],
        score=ScoreOut.from_orm(score) if score is not None else None,
    )


class EntryQuery(Schema):
    campaign: str = Field("", max_length=60, description="Campaign slug.")
    round: str = Field("", max_length=60, description="Round key.")
    state: Literal["new", "draft", "submitted"] | None = None


def _rounds(user, campaign: str = "", key: str = ""):
    rounds = Round.objects.filter(status__in=ACTIVE).select_related("campaign")
    if campaign:
        rounds = rounds.filter(campaign__slug=campaign)
    if key:
        rounds = rounds.filter(key=key)
    return [r for r in rounds.order_by("campaign__slug", "position", "id") if _visible(user, r)]


def _visible(user, round_: Round) -> bool:
    return queries.rounds_visible_to(user, round_.campaign).filter(pk=round_.pk).exists()


def _with_authors(assignments):
    return assignments.select_related(*ENTRY).prefetch_related(
        Prefetch(
            "entry__work__author_links",
            WorkAuthor.objects.select_related("person").order_by("position", "id"),
        )
    )


def _assignments(user, rounds) -> list[Assignment]:
    found = []
    for round_ in rounds:
        found.extend(
            _with_authors(queries.assignments_for_expert(user, round_)).order_by(
                "entry__code", "entry_id"
            )
        )
    return found


@router.get(
    "/review/entries",
    response=list[EntryOut],
    summary="The entries given to the login to review, in open rounds",
)
@paginate(Pages)
def entry_list(request, filters: Query[EntryQuery]):
    items = _assignments(request.user, _rounds(request.user, filters.campaign, filters.round))
    if filters.state:
        items = [
            a
            for a in items
            if (getattr(a, "score", None).status if getattr(a, "score", None) else "new")
            == filters.state
        ]
    shared: dict[int, _Round] = {}
    answers = []
    for a in items:
        round_id = a.entry.round_id
        if round_id not in shared:
            shared[round_id] = _Round(request.user, a)
        answers.append(_entry_out(request.user, a, shared[round_id]))
    return answers


def _assignment(user, pk: int) -> Assignment:
    """The login's assignment of entry `pk`; 404 unless they may work on it."""
    round_ = Round.objects.filter(entries__pk=pk, status__in=ACTIVE).first()
    if round_ is None:
        raise Http404
    found = _with_authors(queries.assignments_for_expert(user, round_)).filter(entry_id=pk).first()
    if found is None:
        raise Http404
    return found


@router.get("/review/entries/{int:pk}", response=EntryOut, summary="One entry given to the login")
def entry_detail(request, pk: int):
    return _entry_out(request.user, _assignment(request.user, pk))


class ScoreIn(Schema):
    version: int = Field(..., ge=0, description="The score's version read before; 0 for none.")
    vote: Literal["yes", "no", ""] = Field("", description="Approval rounds.")
    values: dict[str, Decimal | None] = Field(
        default_factory=dict, description="Scoring rounds: criterion key: value."
    )
    rank: int | None = Field(None, ge=1, description="Ranking rounds: the place.")
    comment: str = Field("", max_length=5000)
    submit: bool = Field(False, description="Submit (final); otherwise saved as a draft.")


@router.put(
    "/review/entries/{int:pk}/score",
    response={200: EntryOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Save (as a draft) or submit the login's score of an entry",
)
def score(request, pk: int, payload: ScoreIn):
    assignment = _assignment(request.user, pk)
    current = getattr(assignment, "score", None)
    if current is not None and current.status == ScoreStatus.SUBMITTED:
        return refused(request, ValidationError(_("This score is submitted already.")))
    require(request.user, "review.score", assignment)
    save = scoring.submit_score if payload.submit else scoring.save_draft
    kind = assignment.entry.round.kind
    kwargs = {"version": payload.version, "comment": payload.comment}
    if kind == RoundKind.APPROVAL:
        kwargs["vote"] = payload.vote
    elif kind == RoundKind.SCORING:
        kwargs["values"] = payload.values
    else:
        kwargs["rank"] = payload.rank
    try:
        save(request.user, assignment, **kwargs)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(200, _entry_out(request.user, _assignment(request.user, pk)))
