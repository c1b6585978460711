"""Who may do what with a campaign's own records (wenyi/campaigns/rules.py), for the
fixed cast; and who gets 404 (outsiders) or 403 (read-only insiders) on its pages."""

import pytest
from django.urls import reverse

from tests.rules_table import (
    Page,
    View,
    actors,
    check_page,
    check_rule,
    declared,
    ids,
    one_sided,
    rows,
)
from wenyi.campaigns.enums import GroupRole
from wenyi.campaigns.models import LeadingGroup

UNITS = ("city", "county_a", "county_b", "enterprise_a")


def _unit(name):
    return lambda cast, objects: getattr(cast, name)


def _group_of(name):
    """(campaign, unit): a unit's leading group for the 2014 campaign, there or not."""
    return lambda cast, objects: (cast.linyi, getattr(cast, name))


OBJECTS = {
    **{name: _unit(name) for name in UNITS},
    **{f"group_{name}": _group_of(name) for name in UNITS},
    "linyi": lambda cast, objects: cast.linyi,
}

T, F = True, False

RULES = [
    # campaigns.manage_leading_group: the unit's managers register its leading group
    *rows(
        "office",
        "campaigns.manage_leading_group",
        {"city": T, "county_a": T, "county_b": T, "enterprise_a": T},
    ),
    *rows(
        "coordinator_a",
        "campaigns.manage_leading_group",
        {"city": F, "county_a": T, "county_b": F, "enterprise_a": T},
    ),
    *rows(
        "coordinator_b",
        "campaigns.manage_leading_group",
        {"city": F, "county_a": F, "county_b": T, "enterprise_a": F},
    ),
    *rows("artist", "campaigns.manage_leading_group", {"county_a": F, "enterprise_a": F}),
    *rows("expert", "campaigns.manage_leading_group", {"city": F, "county_a": F}),
    *rows("expert_conflicted", "campaigns.manage_leading_group", {"county_a": F}),
    *rows("superuser", "campaigns.manage_leading_group", {"county_b": T}),
    *rows("nobody", "campaigns.manage_leading_group", {"county_a": F}),
    # campaigns.view_leading_groups_overview: the office sees who has not registered
    *actors(
        "campaigns.view_leading_groups_overview",
        None,
        {
            "office": T,
            "coordinator_a": F,
            "coordinator_b": F,
            "artist": F,
            "expert": F,
            "expert_conflicted": F,
            "superuser": T,
            "nobody": F,
        },
    ),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_campaigns_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_campaigns_rules_table_names_every_declared_permission():
    assert {row.perm for row in RULES} == declared("campaigns.")


def test_campaigns_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


# --- the pages: outsiders 404, read-only insiders 403 --------------------------------------


def _group_url(pair):
    campaign, unit = pair
    return reverse("campaigns:leading_group", args=[campaign.slug, unit.code])


def _group_post(pair, objects):
    return {
        "name": "领导小组",
        "office_location": "区总工会宣传教育部",
        "members-TOTAL_FORMS": 1,
        "members-INITIAL_FORMS": 0,
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 40,
        "members-0-name": "王组长",
        "members-0-role": GroupRole.LEADER,
    }


def _group_exists(pair):
    campaign, unit = pair
    return LeadingGroup.objects.filter(campaign=campaign, unit=unit).exists()


VIEWS = {
    "leading_group": View("get", _group_url),
    "leading_group_post": View("post", _group_url, data=_group_post, state=_group_exists),
    "leading_groups": View(
        "get", lambda campaign: reverse("campaigns:leading_groups", args=[campaign.slug])
    ),
    "detail": View("get", lambda campaign: reverse("campaigns:detail", args=[campaign.slug])),
}

PAGES = [
    # a county's leading group: its managers; a member of the county sees the unit, 403
    Page("coordinator_a", "leading_group", "group_county_a", 200),
    Page("office", "leading_group", "group_county_a", 200),
    Page("coordinator_b", "leading_group", "group_county_a", 404),
    Page("expert", "leading_group", "group_county_a", 404),
    Page("artist", "leading_group", "group_county_a", 403),
    Page("expert_conflicted", "leading_group", "group_county_a", 403),
    Page("coordinator_a", "leading_group_post", "group_county_a", 302),
    Page("coordinator_b", "leading_group_post", "group_county_a", 404),
    Page("expert", "leading_group_post", "group_county_a", 404),
    Page("artist", "leading_group_post", "group_county_a", 403),
    Page("expert_conflicted", "leading_group_post", "group_county_a", 403),
    # the other county's
    Page("coordinator_b", "leading_group", "group_county_b", 200),
    Page("coordinator_a", "leading_group", "group_county_b", 404),
    Page("artist", "leading_group", "group_county_b", 404),
    Page("coordinator_a", "leading_group_post", "group_county_b", 404),
    # the enterprise below county_a: the county's artist is not a member of it, and it
    # takes no part in 2014 (one level below the city only), so it has no page at all
    Page("coordinator_a", "leading_group", "group_enterprise_a", 404),
    Page("artist", "leading_group", "group_enterprise_a", 404),
    Page("coordinator_b", "leading_group", "group_enterprise_a", 404),
    Page("expert", "leading_group", "group_enterprise_a", 404),
    Page("coordinator_b", "leading_group_post", "group_enterprise_a", 404),
    # the city's: the expert is a member of the city, the counties' people outsiders
    Page("office", "leading_group", "group_city", 200),
    Page("coordinator_a", "leading_group", "group_city", 404),
    Page("artist", "leading_group", "group_city", 404),
    Page("expert", "leading_group", "group_city", 403),
    Page("coordinator_a", "leading_group_post", "group_city", 404),
    Page("expert", "leading_group_post", "group_city", 403),
    # the office's overview
    Page("office", "leading_groups", "linyi", 200),
    Page("coordinator_a", "leading_groups", "linyi", 403),
    Page("coordinator_b", "leading_groups", "linyi", 403),
    Page("artist", "leading_groups", "linyi", 403),
    Page("expert", "leading_groups", "linyi", 403),
    # the campaign's rules are public: every login reads them
    Page("artist", "detail", "linyi", 200),
    Page("expert", "detail", "linyi", 200),
    Page("coordinator_b", "detail", "linyi", 200),
]


@pytest.mark.parametrize("row", PAGES, ids=ids(PAGES))
def test_campaigns_page(request, db, login, row):
    check_page(request, login, row, VIEWS, OBJECTS)
