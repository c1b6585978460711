"""Quota progress lists only the units that take part, and judges them by the levels the
campaign file names (issue 11): the unit page's panel, the quota page, the 统计表.

The tree is tests/campaigns/shandong.py's: sd-2015 owned by 山东省, two levels taking
part, the minimums at the second (历下区), the monthly reports at the first (济南市);
某街道 is a level deeper, 市中区 and 青岛市 are retired, 临沂市's units another tree.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.campaigns import shandong
from tests.campaigns.conftest import edited
from tests.factories import OrgUnitFactory
from wenyi.activities.queries import Breakdown, quota_rows_for
from wenyi.campaigns.loader import load_campaign_file
from wenyi.orgs.enums import UnitKind

INSIDE = ["370000", "370100", "370102"]


@pytest.fixture
def sd(db, settings, linyi, city, county_a, county_b):
    """The province tree beside 临沂市's; 历下区 holds 4 慰问演出, 市中区 1 before retiring."""
    settings.WENYI_TODAY = shandong.TODAY
    settings.LANGUAGE_CODE = "en"
    tree = shandong.build()
    for _ in range(4):
        tree.record(tree.lixia)
    tree.record(tree.shizhong)
    tree.record(tree.street)
    shandong.retire(tree.shizhong, tree.qingdao)
    return tree


@pytest.fixture
def boss(db, django_user_model):
    """A superuser: reaches every unit of every tree, so only participation can keep a
    unit off a page."""
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x")


def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _matrix_units(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'<td [^>]*data-unit="([^"]+)" data-type=', page)))


def _cell(row, key="weiwen"):
    return next(c for c in row.cells if c.type.key == key)


# -- who is listed ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["boss", "office"])
def test_quota_page_lists_only_participating_units(sd, boss, login, who):
    user = boss if who == "boss" else sd.office
    page = login(user).get(reverse("activities:quota", args=[sd.campaign.slug])).content.decode()

    assert _matrix_units(page) == INSIDE


def test_quota_page_of_a_coordinator_below_the_levels_lists_nobody(sd, login):
    response = login(sd.coordinators[sd.street.code]).get(
        reverse("activities:quota", args=[sd.campaign.slug])
    )

    assert response.status_code == 200
    assert _matrix_units(response.content.decode()) == []


def test_the_2014_quota_page_lists_no_unit_of_another_tree(sd, boss, login, linyi):
    page = login(boss).get(reverse("activities:quota", args=[linyi.slug])).content.decode()

    assert _matrix_units(page) == ["371300", "371302", "371311"]


def test_statistics_export_lists_only_participating_units(sd, boss, login):
    response = login(boss).get(reverse("activities:statistics", args=[sd.campaign.slug]))

    ws = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0] for row in ws.iter_rows(min_row=5, values_only=True) if row[0]]
    assert codes == INSIDE


def test_unit_page_shows_the_quota_panel_only_where_the_unit_takes_part(
    sd, boss, login, settings, city
):
    client = _english(login(boss), settings)

    def panels(unit) -> list[str]:
        page = client.get(reverse("orgs:unit", args=[unit.code])).content.decode()
        return re.findall(r"Quota progress <small[^>]*>(.*?)</small>", page)

    assert panels(sd.lixia) == [sd.campaign.title]
    for unit in sd.outside:
        assert panels(unit) == [], unit.name
    # 临沂市 takes part in 2014 only; 济南市 in 2015 only
    assert panels(city) == ["2014年文艺工作者深入职工创作实践活动"]
    assert panels(sd.jinan) == [sd.campaign.title]


def test_unit_page_of_a_coordinators_own_unit_below_the_levels_has_no_panel(sd, login):
    page = (
        login(sd.coordinators[sd.street.code])
        .get(reverse("orgs:unit", args=[sd.street.code]))
        .content.decode()
    )

    assert 'data-testid="unit-quota"' not in page


# -- who is judged ------------------------------------------------------------------------


def test_minimum_level_units_are_judged_and_units_above_count_them(sd):
    rows = {r.unit.code: r for r in quota_rows_for(sd.office, sd.campaign)}

    assert _cell(rows["370102"]).status == "met"  # 4 of at least 4
    assert _cell(rows["370102"]).units is None
    # 济南市 carries no minimum: judged by 历下区 (市中区 is retired, not counted)
    assert _cell(rows["370100"]).units == Breakdown(met=1)
    # its subtree's activities, as information: the street's and the retired one's too
    assert _cell(rows["370100"]).count == 6
    assert _cell(rows["370000"]).units == Breakdown(met=1)


def test_a_level_without_minimums_and_none_below_shows_counts_without_status(sd, login, settings):
    zibo = OrgUnitFactory(parent=sd.province, code="370300", name="淄博市", kind=UnitKind.CITY)
    client = _english(login(sd.office), settings)

    page = client.get(reverse("activities:quota", args=[sd.campaign.slug])).content.decode()

    cell = re.search(r'<td [^>]*data-unit="370300" data-type="weiwen">(.*?)</td>', page, re.S)
    assert " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split()) == "0"
    row = next(r for r in quota_rows_for(sd.office, sd.campaign) if r.unit == zibo)
    assert (row.status, row.rolls_up, _cell(row).judged) == ("", False, False)
    # it is no unit behind: the summary counts the judged units only
    assert sum(response_counts(client, sd).values()) == 1


def response_counts(client, sd) -> dict:
    return client.get(reverse("activities:quota", args=[sd.campaign.slug])).context["counts"]


def test_minimum_levels_of_the_file_move_the_judgement(sd, tmp_path):
    path = tmp_path / "shandong-2015.toml"
    path.write_text(
        edited(
            shandong.FULL.read_text(encoding="utf-8"),
            ("minimum_levels = [2] ", "minimum_levels = [1] "),
        ),
        encoding="utf-8",
    )
    load_campaign_file(path)
    sd.campaign.refresh_from_db()

    rows = {r.unit.code: r for r in quota_rows_for(sd.office, sd.campaign)}

    # 济南市 carries the minimum itself now: its own 6 against at least 4
    assert (_cell(rows["370100"]).status, _cell(rows["370100"]).units) == ("met", None)
    assert _cell(rows["370102"]).judged is False
    assert _cell(rows["370000"]).units == Breakdown(met=1)


# -- one tree, two campaigns: a 2014 city campaign inside a 2015 provincial one ------------


@pytest.fixture
def nested(db, settings, boss):
    """山东省 → 临沂市 → 兰山区: the 2014 campaign is 临沂市's, the 2015 one the
    province's; both files loaded as they are."""
    from wenyi.campaigns.models import Campaign

    settings.WENYI_TODAY = shandong.TODAY
    province = OrgUnitFactory(code="370000", name="山东省", kind=UnitKind.PROVINCE)
    city = OrgUnitFactory(parent=province, code="371300", name="临沂市", kind=UnitKind.CITY)
    county = OrgUnitFactory(parent=city, code="371302", name="兰山区", kind=UnitKind.DISTRICT)
    load_campaign_file(shandong.FULL)
    load_campaign_file(shandong.FULL.parents[2] / "campaigns" / "linyi-2014.toml")
    return province, city, county, Campaign.objects.get(slug="linyi-2014")


def test_province_page_shows_no_panel_of_the_city_campaign_below_it(nested, boss, login, settings):
    province, city, county, linyi = nested
    client = _english(login(boss), settings)

    def panels(unit) -> list[str]:
        page = client.get(reverse("orgs:unit", args=[unit.code])).content.decode()
        return re.findall(r"Quota progress <small[^>]*>(.*?)</small>", page)

    sd_title = "2015年齐鲁职工文化创作实践活动"
    assert panels(province) == [sd_title]
    assert panels(city) == [sd_title, linyi.title]
    assert panels(county) == [sd_title, linyi.title]


def test_city_campaign_quota_page_lists_no_unit_above_its_owner(nested, boss, login):
    province, city, county, linyi = nested

    page = login(boss).get(reverse("activities:quota", args=[linyi.slug])).content.decode()

    assert _matrix_units(page) == ["371300", "371302"]


def test_a_retired_unit_is_offered_in_no_choice_of_the_campaign(
    settings, login, linyi, office, county_a, county_b, coordinator_a
):
    """Retired units (issue 11) are left out of the activity form, the activity import's
    unit codes and the work form; an activity of the unit keeps its unit when edited."""
    from wenyi.activities.excel import importable_units
    from wenyi.orgs import units as unit_services

    settings.WENYI_TODAY = datetime.date(2014, 8, 1)
    client = login(office)
    add = reverse("activities:add", args=[linyi.slug]) + "?type=caifeng"
    assert "罗庄区" in client.get(add).content.decode()
    unit_services.retire_unit(office, county_b, version=county_b.version)
    assert "罗庄区" not in client.get(add).content.decode()
    assert "兰山区" in client.get(add).content.decode()
    assert county_b.code not in set(importable_units(office, linyi).values_list("code", flat=True))
    work_add = reverse("works:add", args=[linyi.slug])
    form = linyi.work_categories.filter(children__isnull=True).first()
    page = client.get(work_add + f"?form={form.key}").content.decode()
    assert "罗庄区" not in page and "兰山区" in page
