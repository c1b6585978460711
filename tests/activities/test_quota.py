import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import OrgUnitFactory
from wenyi.activities.excel import statistics_workbook
from wenyi.activities.queries import Breakdown, months_elapsed, quota_matrix, quota_status
from wenyi.orgs.enums import UnitKind

WINDOW = (datetime.date(2014, 7, 1), datetime.date(2014, 10, 31))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2014, 6, 30), (0, 4)),  # before the stage
        (datetime.date(2014, 7, 1), (0, 4)),  # first day: nothing completed yet
        (datetime.date(2014, 7, 31), (1, 3)),  # last day of July completes it
        (datetime.date(2014, 8, 15), (1, 3)),
        (datetime.date(2014, 10, 31), (4, 0)),
        (datetime.date(2014, 12, 1), (4, 0)),  # after the stage
    ],
)
def test_months_elapsed(today, expected):
    assert months_elapsed(WINDOW, today) == expected


@pytest.mark.parametrize(
    ("count", "completed", "remaining", "expected"),
    [
        (4, 1, 3, "met"),
        (0, 0, 4, "on_track"),  # no month complete: no judgement yet
        (1, 1, 3, "on_track"),  # 1 a month reaches 4
        (0, 1, 3, "behind"),
        (1, 2, 2, "behind"),  # 0.5 a month: 1 + 1 = 2 < 4
        (2, 2, 2, "on_track"),
        (3, 4, 0, "behind"),  # the stage is over
    ],
)
def test_quota_status(count, completed, remaining, expected):
    assert quota_status(count, 4, completed, remaining) == expected


def test_matrix_rolls_up_the_tree(
    office, coordinator_a, city, county_a, county_b, enterprise_a, record, linyi
):
    record(
        coordinator_a, county_a, "weiwen", status="verified", values={"shows": 2, "audience": 300}
    )
    record(
        coordinator_a,
        enterprise_a,
        "weiwen",
        status="verified",
        values={"shows": 1, "audience": 200},
    )
    record(coordinator_a, county_a, "weiwen", status="submitted")  # does not count
    rows = quota_matrix(linyi, [city, county_a, county_b], datetime.date(2014, 8, 15))
    counts = {row.unit.code: {c.type.key: c.count for c in row.cells} for row in rows}
    assert counts["371302"]["weiwen"] == 2
    assert counts["371311"]["weiwen"] == 0
    assert counts["371300"]["weiwen"] == 2
    lanshan = next(r for r in rows if r.unit == county_a)
    weiwen = next(c for c in lanshan.cells if c.type.key == "weiwen")
    assert weiwen.totals == {"shows": 3, "audience": 500}
    assert weiwen.status == "on_track"  # 2 in one completed month
    assert rows[0].rolls_up and not lanshan.rolls_up


# -- a parent is judged by its participating units (issue 10, item 10) -------------------

AUGUST_15 = datetime.date(2014, 8, 15)  # July complete: 1 a month is on track


@pytest.fixture
def three_counties(office, coordinator_a, city, county_a, county_b, record, linyi):
    """兰山区 met (4 慰问演出), 罗庄区 on track (1), 河东区 behind (0)."""
    county_c = OrgUnitFactory(parent=city, code="371312", name="河东区", kind=UnitKind.DISTRICT)
    for _ in range(4):
        record(coordinator_a, county_a, "weiwen", status="verified")
    record(office, county_b, "weiwen", status="verified")
    return county_a, county_b, county_c


def _cell(row, key="weiwen"):
    return next(c for c in row.cells if c.type.key == key)


def test_parent_counts_its_units_met_on_track_and_behind(three_counties, city, linyi):
    county_a, county_b, county_c = three_counties

    rows = quota_matrix(linyi, [city, county_a, county_b, county_c], AUGUST_15)

    city_row = rows[0]
    weiwen = _cell(city_row)
    assert weiwen.units == Breakdown(met=1, on_track=1, behind=1)
    assert weiwen.count == 5  # the subtree's activities, as information
    assert weiwen.status == "behind"
    assert city_row.status == "behind" and city_row.rolls_up
    assert [_cell(r).status for r in rows[1:]] == ["met", "on_track", "behind"]
    assert [_cell(r).units for r in rows[1:]] == [None, None, None]


def test_parent_alone_is_still_judged_by_its_units(three_counties, city, linyi):
    (row,) = quota_matrix(linyi, [city], AUGUST_15)

    assert row.rolls_up
    assert _cell(row).units == Breakdown(met=1, on_track=1, behind=1)
    assert _cell(row).status != "met"


def test_parent_is_met_only_when_every_unit_is(office, city, county_a, county_b, record, linyi):
    for unit in (county_a, county_b):
        for _ in range(4):
            record(office, unit, "weiwen", status="verified")

    (row,) = quota_matrix(linyi, [city], AUGUST_15)

    assert _cell(row).units == Breakdown(met=2)
    assert _cell(row).status == "met"
    assert _cell(row).percent == 100


def test_two_levels_judge_the_level_carrying_the_minimum(
    office, city, county_a, county_b, enterprise_a, record, linyi
):
    # two levels take part; the minimums sit at the bottom one (the file's default)
    linyi.participant_depth, linyi.minimum_levels = 2, [2]
    linyi.save(update_fields=["participant_depth", "minimum_levels"])
    for _ in range(4):
        record(office, enterprise_a, "weiwen", status="verified")
    record(office, county_b, "weiwen", status="verified")

    rows = quota_matrix(linyi, [city, county_a, county_b, enterprise_a], AUGUST_15)

    by_code = {r.unit.code: r for r in rows}
    # 兰山区 carries no minimum: judged by its enterprise
    assert _cell(by_code["371302"]).units == Breakdown(met=1)
    assert _cell(by_code["371300"]).units == Breakdown(met=1)
    # 罗庄区 carries none and has no unit below it that does: counts, no status
    luozhuang = _cell(by_code["371311"])
    assert (luozhuang.count, luozhuang.units, luozhuang.status) == (1, None, "")
    assert not luozhuang.judged and by_code["371311"].status == ""
    assert _cell(by_code["371302001"]).status == "met"
    assert [by_code[c].rolls_up for c in ("371300", "371302", "371311", "371302001")] == [
        True,
        True,
        False,
        False,
    ]


def test_two_levels_both_carrying_minimums_judge_each_unit_by_itself(
    office, city, county_a, county_b, enterprise_a, record, linyi
):
    linyi.participant_depth, linyi.minimum_levels = 2, [1, 2]
    linyi.save(update_fields=["participant_depth", "minimum_levels"])
    for _ in range(4):
        record(office, enterprise_a, "weiwen", status="verified")

    rows = quota_matrix(linyi, [city, county_a, county_b, enterprise_a], AUGUST_15)

    by_code = {r.unit.code: r for r in rows}
    # each county carries the minimum itself (its subtree counted); the city counts
    # every unit that carries one: two counties and the enterprise
    assert [_cell(by_code[c]).status for c in ("371302", "371311", "371302001")] == [
        "met",
        "behind",
        "met",
    ]
    assert _cell(by_code["371302"]).units is None
    assert _cell(by_code["371300"]).units == Breakdown(met=2, behind=1)


def test_matrix_page_shows_the_breakdown_of_the_city(
    three_counties, login, office, linyi, settings
):
    settings.WENYI_TODAY = AUGUST_15
    client = login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("activities:quota", args=[linyi.slug]))

    page = response.content.decode()
    cell = re.search(r'<td [^>]*data-unit="371300" data-type="weiwen">(.*?)</td>', page, re.S)
    assert cell is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())
    assert text == "1 met · 1 on track · 1 behind 5 activities in all"
    assert response.context["counts"] == {"met": 0, "on_track": 0, "behind": 3}


def test_statistics_table_says_the_same_for_the_city(three_counties, city, linyi):
    county_a, county_b, county_c = three_counties
    rows = quota_matrix(linyi, [city, county_a, county_b, county_c], AUGUST_15)

    with translation.override("en"):
        ws = load_workbook(io.BytesIO(statistics_workbook(linyi, rows, AUGUST_15))).active

    values = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    start = values[0].index("慰问演出")
    by_unit = {r[1]: r[start : start + 3] for r in values[2:]}
    assert by_unit["临沂市"] == [5, 4, "1/3 met · 1 on track · 1 behind"]
    assert by_unit["兰山区"] == [4, 4, "met"]
    assert by_unit["罗庄区"] == [1, 4, "on track"]
    assert by_unit["河东区"] == [0, 4, "behind"]


def test_unit_page_of_the_city_shows_the_breakdown(three_counties, login, office, city, settings):
    settings.WENYI_TODAY = AUGUST_15
    client = login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("orgs:unit", args=[city.code])).content.decode()

    found = re.findall(r'data-testid="unit-quota-units">(.*?)</div>', page, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found]
    # 慰问演出 has a county met; nobody has any activity of the other types
    assert "1 met · 1 on track · 1 behind" in texts
    assert texts.count("0 met · 0 on track · 3 behind") == len(texts) - 1
    assert "5 activities in all; at least 4 for each unit" in page
