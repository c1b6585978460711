"""The works' roll-ups: submitted works per unit and art form (`WorkTally`) and per
unit and author (`AuthorTally`), kept in the transaction that submits or withdraws a
work, rebuilt from scratch by `rebuild` (`wenyi rebuild-tallies`), and read by the
dashboards — one query each over a few rows per unit, never over the works.

A work counts under its own unit (the rows of a subtree are added up when read, as the
activities' `Tally` is) from the moment it is submitted until it is withdrawn. Drafts
and withdrawn works count nowhere; a submitted work cannot change its unit, art form
or authors, so what it added is what it takes away.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import under_units
from wenyi.works.enums import WorkStatus
from wenyi.works.models import AuthorTally, Work, WorkAuthor, WorkTally


@transaction.atomic  # a savepoint inside the service's transaction; its own elsewhere
def count(work: Work, sign: int) -> None:
    """Count a work in (+1, on submission) or out (-1, on withdrawal) of its unit's
    rows: its art form's and each author's. Called inside the transaction that moves
    its status."""
    where = {"campaign_id": work.campaign_id, "unit_id": work.unit_id}
    row, _created = WorkTally.objects.select_for_update().get_or_create(
        **where, category_id=work.category_id
    )
    row.submitted += sign
    row.save(update_fields=["submitted"])
    for person_id in WorkAuthor.objects.filter(work=work).values_list("person_id", flat=True):
        row, _created = AuthorTally.objects.select_for_update().get_or_create(
            **where, person_id=person_id
        )
        row.works += sign
        row.save(update_fields=["works"])


@transaction.atomic
def rebuild(campaign: Campaign) -> int:
    """Recount both roll-ups of a campaign from its submitted works: the rows written.
    Two GROUP BY queries; on PostgreSQL the tables are locked first, so a submission in
    the same moment waits and then counts itself in."""
    if connection.vendor == "postgresql":
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (WorkTally, AuthorTally)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    WorkTally.objects.filter(campaign=campaign).delete()
    AuthorTally.objects.filter(campaign=campaign).delete()
    submitted = Work.objects.filter(campaign=campaign, status=WorkStatus.SUBMITTED)
    forms = [
        WorkTally(campaign=campaign, unit_id=unit_id, category_id=category_id, submitted=n)
        for unit_id, category_id, n in submitted.values_list("unit_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    ]
    authors = [
        AuthorTally(campaign=campaign, unit_id=unit_id, person_id=person_id, works=n)
        for unit_id, person_id, n in WorkAuthor.objects.filter(work__in=submitted)
        .values_list("work__unit_id", "person_id")
        .annotate(n=Count("id"))
        .order_by()
    ]
    WorkTally.objects.bulk_create(forms, batch_size=1000)
    AuthorTally.objects.bulk_create(authors, batch_size=1000)
    return len(forms) + len(authors)


def _subtrees(campaign: Campaign, units: Iterable[OrgUnit]) -> Q:
    return under_units(units, "unit__", whole=campaign.owner_unit())


def per_category(campaign: Campaign, units: list[OrgUnit]) -> dict[int, int]:
    """Submitted works per art form (category id) in the subtrees of `units`; forms
    without any are absent. One query."""
    if not units:
        return {}
    rows = (
        WorkTally.objects.filter(_subtrees(campaign, units), campaign=campaign, submitted__gt=0)
        .values_list("category_id")
        .annotate(n=Sum("submitted"))
        .order_by()
    )
    return dict(rows)


def authors(campaign: Campaign, units: list[OrgUnit]) -> int:
    """The people who wrote (or share) a submitted work of the subtrees of `units`,
    each once. One query."""
    if not units:
        return 0
    return (
        AuthorTally.objects.filter(_subtrees(campaign, units), campaign=campaign, works__gt=0)
        .values("person_id")
        .distinct()
        .count()
    )
