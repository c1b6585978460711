"""What an anthology holds, read in the book's order, and which works may be in it
(see wenyi.portal.anthology for the rules in words and the services that change it).

`book_rows(anthology)` reads every work of the book with its authors, its award in the
final results, its score and whether it may still be printed, in six queries whatever
the number of works, and sorts them: sections by art form in the campaign file's order
of its categories; inside a section the hand order (`AnthologyItem.position`) when the
office moved works, else the automatic order (`auto_key`): the best tier first (award
kind, then tier, by the file's order; works without an award after), the score high
first (the final score of the work's last scored review round; none last), the title
by pinyin. The page and `prepare` both read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from wenyi.awards.models import Award
from wenyi.awards.queries import final_awards
from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.portal.models import Anthology, AnthologyItem
from wenyi.review.models import RoundResult
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Match, Work, WorkAuthor

NO_AWARD = (10_000, 10_000)  # sorts after every tier


# -- who may go in ----------------------------------------------------------------------


def _disqualified(work: Work) -> bool:
    value = getattr(work, "disqualified", None)
    if value is None:
        value = work.matches.filter(status=MatchStatus.DISQUALIFIED).exists()
    return bool(value)


def add_refusal(work: Work, campaign: Campaign | None = None) -> str:
    """Why `work` cannot go into the anthology, in words naming it; "" when it can."""
    values = {"title": work.title}
    if campaign is not None and work.campaign_id != campaign.pk:
        return _("“%(title)s” belongs to another campaign.") % values
    if work.status == WorkStatus.WITHDRAWN:
        return _("“%(title)s” cannot go into the anthology: it was withdrawn.") % values
    if work.status != WorkStatus.SUBMITTED:
        return _("“%(title)s” cannot go into the anthology: it has not been submitted.") % values
    if _disqualified(work):
        return (
            _(
                "“%(title)s” cannot go into the anthology: it was disqualified as a copy of "
                "another work."
            )
            % values
        )
    if not work.consent_anthology:
        return (
            _(
                "“%(title)s” cannot go into the anthology: its rights holder has not agreed to "
                "have it printed (record the consent on the work's page first)."
            )
            % values
        )
    return ""


# -- the book's order -------------------------------------------------------------------


@dataclass
class Row:
    """A work of the book as the page and `prepare` read it, in the book's order."""

    item: AnthologyItem
    work: Work
    authors: str = ""
    award: str = ""  # "优秀文艺作品 一等奖" ("" without an award)
    rank: tuple[int, int] = NO_AWARD  # (award kind, tier) positions of its best award
    score: Decimal | None = None
    refusal: str = ""  # why it can no longer be printed ("" when it can)
    number: int = 0  # its place in its section, from 1
    of: int = 0  # the number of works in its section

    @property
    def category(self) -> WorkCategory:
        return self.work.category


def award_text(award: Award) -> str:
    """优秀文艺作品 + 一等奖 → "优秀文艺作品 一等奖"; a tier named like its kind once."""
    kind, tier = award.award_kind.name, award.tier.name if award.tier_id else ""
    if not tier or tier in kind:
        return kind
    if kind in tier:
        return tier
    return f"{kind} {tier}"


def _awards(campaign: Campaign, works: QuerySet[Work]) -> dict[int, list[Award]]:
    """The final results' standing lines of `works`, best first (none before the results
    are final)."""
    won: dict[int, list[Award]] = {}
    for award in final_awards(campaign).filter(work__in=works):
        won.setdefault(award.work_id, []).append(award)
    return won


def _scores(works: QuerySet[Work]) -> dict[int, Decimal]:
    """Each work's final score in its last scored round (by the rounds' order)."""
    found: dict[int, tuple[tuple[int, int], Decimal]] = {}
    results = RoundResult.objects.filter(entry__work__in=works, final__isnull=False).values_list(
        "entry__work_id", "round__position", "round_id", "final"
    )
    for work_id, position, round_id, final in results:
        key = (position, round_id)
        if work_id not in found or key > found[work_id][0]:
            found[work_id] = (key, final)
    return {work_id: final for work_id, (_key, final) in found.items()}


def _authors(works: QuerySet[Work]) -> dict[int, str]:
    names: dict[int, list[str]] = {}
    links = (
        WorkAuthor.objects.filter(work__in=works)
        .select_related("person")
        .order_by("work_id", "position", "id")
    )
    for link in links:
        names.setdefault(link.work_id, []).append(link.person.name)
    return {work_id: "、".join(people) for work_id, people in names.items()}


def _items(anthology: Anthology) -> QuerySet[AnthologyItem]:
    disqualified = Exists(
        Match.objects.filter(work=OuterRef("work_id"), status=MatchStatus.DISQUALIFIED)
    )
    return (
        AnthologyItem.objects.filter(anthology=anthology)
        .select_related("work__category", "work__unit")
        .annotate(disqualified=disqualified)
    )


def auto_key(row: Row) -> tuple:
    """The automatic order inside a section: tier best first, score high first, title."""
    score = -row.score if row.score is not None else Decimal("Infinity")
    return (row.rank, score, row.work.title_sort, row.work.title, row.work.pk)


def _section_key(row: Row) -> tuple[int, int]:
    return (row.category.position, row.category.pk)


def book_rows(anthology: Anthology) -> list[Row]:
    """The anthology's works in the book's order, with what the page and the book show,
    in six queries whatever their number."""
    items = list(_items(anthology))
    works = Work.objects.filter(anthology_items__anthology=anthology)
    won = _awards(anthology.campaign, works)
    scores = _scores(works)
    authors = _authors(works)
    rows = []
    for item in items:
        work = item.work
        work.disqualified = item.disqualified
        awards = won.get(work.pk, [])
        rows.append(
            Row(
                item=item,
                work=work,
                authors=authors.get(work.pk, ""),
                award="；".join(award_text(a) for a in awards),
                rank=min(
                    ((a.award_kind.position, a.tier.position if a.tier_id else 0) for a in awards),
                    default=NO_AWARD,
                ),
                score=scores.get(work.pk, awards[0].score if awards else None),
                refusal=add_refusal(work, anthology.campaign),
            )
        )
    if anthology.hand_ordered:
        rows.sort(key=lambda r: (_section_key(r), r.item.position, r.item.pk))
    else:
        rows.sort(key=lambda r: (_section_key(r), auto_key(r)))
    sizes: dict[tuple[int, int], int] = {}
    for row in rows:
        key = _section_key(row)
        sizes[key] = sizes.get(key, 0) + 1
        row.number = sizes[key]
    for row in rows:
        row.of = sizes[_section_key(row)]
    return rows


def sections(rows: list[Row]) -> list[tuple[WorkCategory, list[Row]]]:
    """The rows grouped by art form, in the book's order."""
    grouped: list[tuple[WorkCategory, list[Row]]] = []
    for row in rows:
        if not grouped or grouped[-1][0].pk != row.category.pk:
            grouped.append((row.category, []))
        grouped[-1][1].append(row)
    return grouped
