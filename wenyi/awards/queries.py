"""Reading a campaign's results."""

from django.db.models import Count, QuerySet

from wenyi.awards.enums import AwardStatus, ResultsStatus
from wenyi.awards.models import Award, Objection, Results


def _ordered(awards: QuerySet[Award]) -> QuerySet[Award]:
    return awards.select_related("award_kind", "tier", "work__category", "unit", "person").order_by(
        "award_kind__position", "tier__position", "position", "id"
    )


def results_of(campaign) -> Results | None:
    return Results.objects.filter(campaign=campaign).first()


def standing_awards(results: Results) -> QuerySet[Award]:
    """The award lines that stand (not withdrawn), in the order of the results: award
    kind, tier, position."""
    return _ordered(Award.objects.filter(results=results, status=AwardStatus.STANDING))


def final_awards(campaign) -> QuerySet[Award]:
    """The standing lines of the campaign's final results (none before they are final):
    what the commendation decision and the certificates print."""
    return _ordered(
        Award.objects.filter(
            results__campaign=campaign,
            results__status=ResultsStatus.FINAL,
            status=AwardStatus.STANDING,
        )
    )


def all_awards(results: Results) -> QuerySet[Award]:
    """Every line of the results, withdrawn ones too, in their order."""
    return _ordered(Award.objects.filter(results=results))


def grouped(awards) -> list[dict]:
    """Award lines (in their order) as [{kind, tiers: [{tier, awards}]}]: the tables of
    the results pages, by award kind and tier."""
    groups: list[dict] = []
    for award in awards:
        if not groups or groups[-1]["kind"].pk != award.award_kind_id:
            groups.append({"kind": award.award_kind, "tiers": []})
        tiers = groups[-1]["tiers"]
        if not tiers or tiers[-1]["key"] != award.tier_id:
            tiers.append({"key": award.tier_id, "tier": award.tier, "awards": []})
        tiers[-1]["awards"].append(award)
    return groups


def objections_of(results: Results) -> QuerySet[Objection]:
    """The objections raised in the results' notices, oldest first, with what each
    concerns and how many files came with it."""
    return (
        Objection.objects.filter(notice__results=results)
        .select_related("notice", "award__award_kind", "award__tier")
        .annotate(files_n=Count("files"))
        .order_by("received_at", "id")
    )


def public_outcomes(results: Results) -> QuerySet[Objection]:
    """What the public (and every export) sees of the objections to the results: the
    reference, the notice, the result, the state and the decision — read with `only()`,
    so that no page or export built on it can show who raised them."""
    return (
        Objection.objects.filter(notice__results=results)
        .select_related("notice", "award__award_kind", "award__tier")
        .only(
            "reference",
            "status",
            "decision",
            "decided_at",
            "received_at",
            "notice",
            "notice__number",
            "award",
            "award__holder",
            "award__title",
            "award__unit_name",
            "award__status",
            "award__award_kind",
            "award__award_kind__name",
            "award__tier",
            "award__tier__name",
        )
        .order_by("received_at", "id")
    )
