"""Reading a campaign's results."""

from django.db.models import QuerySet

from wenyi.awards.enums import AwardStatus, ResultsStatus
from wenyi.awards.models import Award, Results


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
