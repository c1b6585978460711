"""Who takes part in a campaign (issue 11): campaigns.participation, and the campaign
pages that list units (the leading-group overview and form, the unit page's panel)."""

import datetime

import pytest
from django.urls import reverse

from tests.campaigns import shandong
from tests.campaigns.conftest import edited
from tests.factories import CampaignFactory, OrgUnitFactory
from wenyi.campaigns import participation
from wenyi.campaigns.loader import load_campaign_file


@pytest.fixture
def sd(db, settings):
    settings.WENYI_TODAY = shandong.TODAY
    tree = shandong.build()
    shandong.retire(tree.shizhong, tree.qingdao)
    return tree


def _codes(units) -> list[str]:
    return [u.code for u in units.order_by("path")]


def test_participating_units_stay_in_the_owners_subtree_and_levels(sd, linyi, city):
    assert _codes(participation.participating_units(sd.campaign)) == [
        "370000",
        "370100",
        "370102",
    ]
    assert _codes(participation.participating_units(linyi)) == ["371300"]


def test_levels_of_the_file_pick_who_reports_and_who_carries_minimums(sd):
    assert _codes(participation.reporting_units(sd.campaign)) == ["370100"]
    assert _codes(participation.minimum_units(sd.campaign)) == ["370102"]


def test_swapped_levels_in_the_file_swap_the_units(sd, write_file):
    text = edited(
        shandong.FULL.read_text(encoding="utf-8"),
        ("minimum_levels = [2] ", "minimum_levels = [1] "),
        ("report_levels = [1] ", "report_levels = [1, 2] "),
    )

    load_campaign_file(write_file(text, "sd-2015.toml"))
    sd.campaign.refresh_from_db()

    assert _codes(participation.minimum_units(sd.campaign)) == ["370100"]
    assert _codes(participation.reporting_units(sd.campaign)) == ["370100", "370102"]


def test_default_levels_are_the_bottom_level(db, linyi, city, county_a, enterprise_a):
    assert (linyi.minimum_levels, linyi.report_levels) == ([1], [1])
    assert _codes(participation.reporting_units(linyi)) == ["371302"]
    # a campaign row made without the file: the bottom level all the same
    campaign = CampaignFactory(owner_unit_code=city.code, participant_depth=2)
    assert participation.minimum_levels(campaign) == [2]
    assert _codes(participation.reporting_units(campaign)) == ["371302001"]


def test_a_unit_takes_part_until_the_day_it_retires(sd, settings):
    later = OrgUnitFactory(parent=sd.jinan, code="370104", name="槐荫区")
    shandong.retire(later, on=datetime.date(2015, 8, 16))

    assert participation.takes_part(sd.campaign, later)
    assert participation.level_of(sd.campaign, later) == 2
    settings.WENYI_TODAY = datetime.date(2015, 8, 16)
    assert not participation.takes_part(sd.campaign, later)
    assert "370104" not in _codes(participation.minimum_units(sd.campaign))


def test_units_outside_take_no_part(sd, linyi, city, county_a):
    for unit in [*sd.outside, city, county_a]:
        assert not participation.takes_part(sd.campaign, unit), unit.name
    assert not participation.takes_part(linyi, sd.jinan)
    assert participation.takes_part(linyi, county_a)
    assert participation.level_of(sd.campaign, sd.province) == 0
    assert participation.carries_minimum(sd.campaign, sd.lixia)
    assert not participation.carries_minimum(sd.campaign, sd.jinan)
    assert participation.reports_monthly(sd.campaign, sd.jinan)
    assert not participation.reports_monthly(sd.campaign, sd.province)


def test_campaigns_of_a_unit_are_the_ones_it_takes_part_in(sd, linyi, city, county_a):
    def slugs(unit):
        return sorted(participation.campaigns_of(unit).values_list("slug", flat=True))

    assert slugs(sd.province) == ["sd-2015"]
    assert slugs(sd.lixia) == ["sd-2015"]
    assert slugs(sd.street) == []  # a level below the campaign's
    assert slugs(sd.qingdao) == []  # retired
    assert slugs(county_a) == ["linyi-2014"]  # another tree


def test_campaigns_of_is_one_query(sd, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(participation.campaigns_of(sd.lixia)) == 1


# -- the campaign's pages ----------------------------------------------------------------


def test_leading_group_overview_lists_only_participating_units(sd, login):
    page = (
        login(sd.office)
        .get(reverse("campaigns:leading_groups", args=[sd.campaign.slug]))
        .content.decode()
    )

    for unit in (sd.province, sd.jinan, sd.lixia):
        assert unit.name in page
    for unit in sd.outside:
        assert unit.name not in page


@pytest.mark.parametrize("unit", ["street", "shizhong", "qingdao"])
def test_leading_group_form_of_a_unit_outside_is_404(sd, login, unit):
    unit = getattr(sd, unit)
    url = reverse("campaigns:leading_group", args=[sd.campaign.slug, unit.code])

    assert login(sd.office).get(url).status_code == 404
    assert login(sd.coordinators[unit.code]).get(url).status_code == 404


def test_leading_group_panel_shows_only_campaigns_the_unit_takes_part_in(
    sd, linyi, login, django_user_model
):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    client = login(boss)

    def shown(unit) -> bool:
        page = client.get(reverse("orgs:unit", args=[unit.code])).content.decode()
        return sd.campaign.title in page

    assert shown(sd.province) and shown(sd.jinan) and shown(sd.lixia)
    for unit in sd.outside:
        assert not shown(unit), unit.name
