"""Drawing the results from the review's approved tiers: which tiering each award kind
is drawn from, the placements in their order, and the award line each one makes with
the names as they will be printed. `services.draw` saves what this reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from wenyi.awards.models import Award, Results
from wenyi.campaigns.models import AwardKind, Campaign
from wenyi.review.enums import TieringStatus
from wenyi.review.models import Placement, Tiering
from wenyi.review.tiers import candidates_of
from wenyi.works.models import WorkAuthor

THREE = Decimal("0.001")


@dataclass
class Drawn:
    """What `draw` made: the results, the lines per award kind, the kinds without an
    approved tiering, and the tierings set aside for a later round's."""

    results: Results
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        notes = [
            _(
                "%(kind)s: no approved award tiers yet, so the results hold none of this "
                "kind. Approve its tiers in the review and draw again."
            )
            % {"kind": name}
            for name in self.missing
        ]
        notes += [
            _("%(tiering)s: not used; the tiers of a later round of this award kind are.")
            % {"tiering": name}
            for name in self.set_aside
        ]
        return notes


def approved_tierings(campaign: Campaign) -> tuple[dict[int, Tiering], list[Tiering]]:
    """The approved tiering each award kind is drawn from (the latest round's, when
    several rounds gave the same kind tiers), and the ones set aside."""
    found = (
        Tiering.objects.filter(round__campaign=campaign, status=TieringStatus.APPROVED)
        .select_related("round", "award_kind")
        .order_by("award_kind_id", "-round__position", "-round_id")
    )
    chosen: dict[int, Tiering] = {}
    set_aside: list[Tiering] = []
    for tiering in found:
        if tiering.award_kind_id in chosen:
            set_aside.append(tiering)
        else:
            chosen[tiering.award_kind_id] = tiering
    return chosen, set_aside


def placements_of(tiering: Tiering) -> list[Placement]:
    """The tiering's placements with a tier, best tier first, in the round's order."""
    order = {result.entry_id: n for n, (result, _rank) in enumerate(candidates_of(tiering.round))}
    placements = list(
        tiering.placements.filter(tier__isnull=False)
        .select_related(
            "tier",
            "entry__result",
            "entry__work__unit",
            "entry__unit",
            "entry__person__unit",
        )
        .prefetch_related(
            Prefetch(
                "entry__work__author_links",
                WorkAuthor.objects.select_related("person").order_by("position", "id"),
            )
        )
    )
    placements.sort(
        key=lambda p: (
            p.tier.position,
            p.tier_id,
            order.get(p.entry_id, len(order)),
            p.entry.code,
        )
    )
    return placements


def line_of(results: Results, kind: AwardKind, placement: Placement, position: int) -> Award:
    entry = placement.entry
    result = getattr(entry, "result", None)
    score = result.final.quantize(THREE) if result and result.final is not None else None
    line = Award(
        results=results,
        award_kind=kind,
        tier=placement.tier,
        placement=placement,
        score=score,
        position=position,
    )
    if entry.work_id:
        work = entry.work
        line.work = work
        line.title = work.title
        line.holder = "、".join(a.person.name for a in work.author_links.all()) or work.unit.name
        line.unit_name = work.unit.name
    elif entry.unit_id:
        line.unit = entry.unit
        line.holder = entry.unit.name
    else:
        line.person = entry.person
        line.holder = entry.person.name
        line.unit_name = entry.person.unit.name
    return line
