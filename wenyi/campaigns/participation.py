"""Who takes part in a campaign: the one answer every page, list, export and reminder uses.

A campaign file names its owner unit and how many levels below it take part
(`participant_depth`). A unit takes part when it is

- the owner, or 1 to `participant_depth` levels below it — so never a unit of another
  tree (another city, or the 2014 campaign's units in a 2015 provincial one) and never
  a unit deeper down (an enterprise below a county in 2014);
- not retired: `OrgUnit.retired_on` unset or after today (a unit retired today takes
  part no more).

Among them the file says which levels carry the yearly minimums (`minimum_levels`)
and which report monthly (`report_levels`), counted below the owner (1 = directly
below); both default to the bottom level (`[participant_depth]`). The owner carries
no minimum and owes no reports: its office sets them.

The sets are querysets, so callers narrow them further (a login's reach, a subtree)
in the same query. `takes_part` and `level_of` answer for one unit without a query
beyond reading the owner.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F, OuterRef, QuerySet, Subquery

from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import in_use

__all__ = [
    "campaigns_of",
    "carries_minimum",
    "level_of",
    "minimum_levels",
    "minimum_units",
    "participating_units",
    "report_levels",
    "reporting_units",
    "reports_monthly",
    "takes_part",
]


def _levels(campaign: Campaign, levels: Iterable[int] | None) -> list[int]:
    """The listed levels that exist in the campaign; the bottom level when none are."""
    depth = campaign.participant_depth
    found = sorted({level for level in levels or () if 1 <= level <= depth})
    return found or [depth]


def minimum_levels(campaign: Campaign) -> list[int]:
    """Levels below the owner whose units carry the yearly minimums (`[campaign]
    minimum_levels`; the bottom level by default)."""
    return _levels(campaign, campaign.minimum_levels)


def report_levels(campaign: Campaign) -> list[int]:
    """Levels below the owner whose units report monthly (`[reporting] report_levels`;
    the bottom level by default)."""
    return _levels(campaign, campaign.report_levels)


def _at_levels(
    campaign: Campaign,
    levels: Iterable[int],
    today: datetime.date | None,
    owner: OrgUnit | None,
) -> QuerySet[OrgUnit]:
    owner = owner if owner is not None else campaign.owner_unit()
    if owner is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        in_use(today=today),
        path__startswith=owner.path,
        depth__in=[owner.depth + level for level in levels],
    )


def participating_units(
    campaign: Campaign, *, today: datetime.date | None = None, owner: OrgUnit | None = None
) -> QuerySet[OrgUnit]:
    """The owner and the units 1 to `participant_depth` levels below it, none retired.
    `owner`: the campaign's owner unit, if the caller has read it already."""
    return _at_levels(campaign, range(campaign.participant_depth + 1), today, owner)


def minimum_units(
    campaign: Campaign, *, today: datetime.date | None = None, owner: OrgUnit | None = None
) -> QuerySet[OrgUnit]:
    """The participating units that carry the yearly minimums themselves."""
    return _at_levels(campaign, minimum_levels(campaign), today, owner)


def reporting_units(
    campaign: Campaign, *, today: datetime.date | None = None, owner: OrgUnit | None = None
) -> QuerySet[OrgUnit]:
    """The participating units that owe monthly plans, progress reports and the rest;
    the owner receives them."""
    return _at_levels(campaign, report_levels(campaign), today, owner)


def level_of(
    campaign: Campaign, unit: OrgUnit, *, today: datetime.date | None = None
) -> int | None:
    """How many levels below the owner `unit` takes part (0: the owner itself), or None
    when it does not take part."""
    owner = campaign.owner_unit()
    if owner is None or not unit.path.startswith(owner.path) or unit.retired_by(today):
        return None
    level = unit.depth - owner.depth
    return level if level <= campaign.participant_depth else None


def takes_part(campaign: Campaign, unit: OrgUnit, *, today: datetime.date | None = None) -> bool:
    return level_of(campaign, unit, today=today) is not None


def carries_minimum(
    campaign: Campaign, unit: OrgUnit, *, today: datetime.date | None = None
) -> bool:
    return level_of(campaign, unit, today=today) in minimum_levels(campaign)


def reports_monthly(
    campaign: Campaign, unit: OrgUnit, *, today: datetime.date | None = None
) -> bool:
    return level_of(campaign, unit, today=today) in report_levels(campaign)


def campaigns_of(unit: OrgUnit, *, today: datetime.date | None = None) -> QuerySet[Campaign]:
    """The campaigns `unit` takes part in: those owned by the unit or a unit above it
    at most `participant_depth` levels up; none once the unit is retired. One query."""
    if unit.retired_by(today):
        return Campaign.objects.none()
    owners = OrgUnit.objects.filter(path__in=unit.ancestor_paths())
    owner_depth = OrgUnit.objects.filter(code=OuterRef("owner_unit_code")).values("depth")[:1]
    return (
        Campaign.objects.filter(owner_unit_code__in=owners.values("code"))
        .alias(owner_depth=Subquery(owner_depth))
        .filter(participant_depth__gte=unit.depth - F("owner_depth"))
    )
