"""The completeness and timeliness table: definitions, roll-up, who sees what, Excel."""

import datetime
import io
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.orgs.enums import Role, UnitKind
from wenyi.reporting import deadlines, services
from wenyi.reporting.completeness import Cell, completeness
from wenyi.reporting.enums import ItemOutcome, ReportKind
from wenyi.reporting.models import Report

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date
JULY, AUGUST, SEPTEMBER, OCTOBER = D(2014, 7, 1), D(2014, 8, 1), D(2014, 9, 1), D(2014, 10, 1)


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def send(actor, campaign, unit, kind, period, at: datetime.datetime) -> Report:
    """A report filled in and submitted through the services, then dated `at` (the
    services stamp the real clock; the table only reads the stored moment)."""
    report = services.open_report(actor, campaign, unit, kind, period)
    items = lines = None
    if kind in (ReportKind.UNIT_PLAN, ReportKind.MONTHLY_PLAN):
        type_ = campaign.activity_types.first()
        items = [{"type": type_, "title": "采风", "place": "某厂"}]
    elif kind == ReportKind.MONTHLY_PROGRESS:
        plan = services.plan_for(report)
        lines = (
            [{"item": i, "outcome": ItemOutcome.DONE} for i in plan.items.all()] if plan else None
        )
    report = services.save_report(
        actor, report, version=report.version, text="情况", items=items, lines=lines
    )
    report = services.submit_report(actor, report)
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=at, on_time=deadlines.is_on_time(report.due, at)
    )
    return Report.objects.get(pk=report.pk)


def table(campaign, units, today, **kwargs):
    return completeness(campaign, units, today, **kwargs)


def cells(result, code) -> dict[str, Cell]:
    row = next(r for r in result.rows if r.unit.code == code)
    return {c.key: cell for c, cell in zip(result.columns, row.cells, strict=True)} | {
        "total": row.total
    }


# -- columns and what is expected -------------------------------------------------------------


def test_columns_are_the_campaign_plan_the_stage_months_and_the_summary(linyi, city):
    result = table(linyi, [city], D(2014, 9, 16))
    assert [c.key for c in result.columns] == [
        "2014-07:unit_plan",
        "2014-07",
        "2014-08",
        "2014-09",
        "2014-10",
        "2014-10:summary",
    ]


def test_nothing_is_expected_before_the_first_due_date(linyi, city, county_a, county_b, office):
    send(office, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 2, 10))
    result = table(linyi, [city, county_a, county_b], D(2014, 7, 4))
    for row in result.rows:
        assert all(c.as_tuple() == (0, 0, 0) for c in row.cells)
        assert row.total.as_tuple() == (0, 0, 0)
        assert row.total.rate is None
        assert row.total.on_time_rate is None


def test_expected_counts_due_reports_times_reporting_units(linyi, city, county_a, county_b):
    result = table(linyi, [city, county_a, county_b], D(2014, 8, 5))
    got = cells(result, "371300")
    # the campaign plan (31 July), July's plan and progress, August's plan (5 August)
    assert got["2014-07:unit_plan"].expected == 2
    assert got["2014-07"].expected == 4
    assert got["2014-08"].expected == 2
    assert got["2014-09"].expected == 0
    assert got["2014-10:summary"].expected == 0
    assert got["total"].expected == 8
    assert cells(result, "371302")["total"].expected == 4
    assert result.rows[0].units == 2


def test_a_report_due_today_is_expected_and_missing_until_it_comes(linyi, city, county_a):
    before = cells(table(linyi, [county_a], D(2014, 8, 4)), "371302")["2014-08"]
    on_the_day = cells(table(linyi, [county_a], D(2014, 8, 5)), "371302")["2014-08"]
    assert before.expected == 0
    assert (on_the_day.expected, on_the_day.missing) == (1, 1)


# -- submitted, on time, late, missing ---------------------------------------------------------


def test_late_and_missing_reports_are_counted(linyi, city, county_a, county_b, office):
    # county A: the July plan at 00:30 on 6 July, Beijing time (16:30 on the 5th in UTC)
    send(office, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 6, 0, 30))
    # county B: nothing
    got = cells(table(linyi, [city, county_a, county_b], D(2014, 7, 10)), "371300")["2014-07"]
    assert got.as_tuple() == (2, 1, 0)
    assert (got.missing, got.late) == (1, 1)
    assert (got.rate, got.on_time_rate) == (0.5, 0.0)


def test_sent_at_2359_beijing_time_on_the_due_day_counts_on_time(linyi, county_a, office):
    send(office, linyi, county_a, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 5, 23, 59))
    got = cells(table(linyi, [county_a], D(2014, 8, 6)), "371302")["2014-08"]
    assert got.as_tuple() == (1, 1, 1)
    assert got.late == 0


def test_reports_sent_before_they_are_due_never_push_rates_over_100(
    linyi, city, county_a, county_b, office
):
    for kind, period in [
        (ReportKind.MONTHLY_PLAN, AUGUST),
        (ReportKind.MONTHLY_PROGRESS, AUGUST),  # due 31 August, sent on the 3rd
        (ReportKind.MONTHLY_PLAN, SEPTEMBER),  # due 5 September
        (ReportKind.SUMMARY, OCTOBER),  # due 15 October
    ]:
        send(office, linyi, county_a, kind, period, _at(2014, 8, 3, 9))
    result = table(linyi, [city, county_a, county_b], D(2014, 8, 10))
    county = cells(result, "371302")
    assert county["2014-08"].as_tuple() == (1, 1, 1)
    assert county["2014-09"].as_tuple() == (0, 0, 0)
    assert county["2014-10:summary"].as_tuple() == (0, 0, 0)
    for row in result.rows:
        for cell in [*row.cells, row.total]:
            assert cell.submitted <= cell.expected
            assert cell.rate is None or 0 <= cell.rate <= 1
            assert cell.on_time_rate is None or 0 <= cell.on_time_rate <= 1
    # once due, the early reports count, on time
    later = cells(table(linyi, [county_a], D(2014, 10, 31)), "371302")
    assert later["2014-09"].as_tuple() == (2, 1, 1)
    assert later["2014-10:summary"].as_tuple() == (1, 1, 1)


def test_reports_of_units_that_owe_none_are_not_counted(
    linyi, city, county_a, enterprise_a, office
):
    # participant_depth is 1: the enterprise below the county owes no reports, nor the city
    send(office, linyi, enterprise_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 1, 9))
    send(office, linyi, city, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 1, 9))
    result = table(linyi, [city, county_a], D(2014, 7, 10))
    assert cells(result, "371300")["2014-07"].as_tuple() == (1, 0, 0)
    assert cells(result, "371302")["2014-07"].as_tuple() == (1, 0, 0)


def test_a_returned_report_stays_submitted_with_its_first_timeliness(
    linyi, county_a, office, coordinator_a
):
    report = send(coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 4, 9))
    services.return_report(office, report, "请补充")
    got = cells(table(linyi, [county_a], D(2014, 7, 10)), "371302")["2014-07"]
    assert got.as_tuple() == (1, 1, 1)


# -- roll-up --------------------------------------------------------------------------------


def test_city_row_is_the_sum_of_its_counties(linyi, city, county_a, county_b, office):
    send(office, linyi, county_a, ReportKind.UNIT_PLAN, JULY, _at(2014, 7, 20, 9))
    send(office, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 3, 9))
    send(office, linyi, county_a, ReportKind.MONTHLY_PROGRESS, JULY, _at(2014, 8, 2, 9))
    send(office, linyi, county_b, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 5, 23, 0))
    send(office, linyi, county_b, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 7, 9))
    send(office, linyi, county_b, ReportKind.MONTHLY_PROGRESS, AUGUST, _at(2014, 8, 30, 9))
    result = table(linyi, [city, county_a, county_b], D(2014, 9, 16))
    city_row, a, b = result.rows
    assert city_row.rolls_up and not a.rolls_up and not b.rolls_up
    for n in range(len(result.columns)):
        assert city_row.cells[n].as_tuple() == tuple(
            x + y for x, y in zip(a.cells[n].as_tuple(), b.cells[n].as_tuple(), strict=True)
        )
    assert city_row.total.as_tuple() == (12, 6, 4)
    assert a.total.as_tuple() == (6, 3, 2)
    assert b.total.as_tuple() == (6, 3, 2)
    assert result.total == city_row.total


def test_a_county_with_units_below_it_counts_them_when_they_report(
    linyi, city, county_a, enterprise_a, office
):
    linyi.participant_depth, linyi.report_levels = 2, [1, 2]
    linyi.save(update_fields=["participant_depth", "report_levels"])
    send(office, linyi, enterprise_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 1, 9))
    result = table(linyi, [county_a, enterprise_a], D(2014, 7, 10))
    assert cells(result, "371302")["2014-07"].as_tuple() == (2, 1, 1)
    assert cells(result, "371302001")["2014-07"].as_tuple() == (1, 1, 1)
    assert result.rows[0].units == 2


def test_month_filter_shows_each_report_of_the_month(linyi, county_a, office):
    send(office, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY, _at(2014, 7, 3, 9))
    send(office, linyi, county_a, ReportKind.UNIT_PLAN, JULY, _at(2014, 8, 3, 9))
    result = table(linyi, [county_a], D(2014, 9, 16), month=JULY)
    assert [c.key for c in result.columns] == [
        "2014-07:unit_plan",
        "2014-07:monthly_plan",
        "2014-07:monthly_progress",
    ]
    got = cells(result, "371302")
    assert got["2014-07:unit_plan"].as_tuple() == (1, 1, 0)
    assert got["2014-07:monthly_plan"].as_tuple() == (1, 1, 1)
    assert got["2014-07:monthly_progress"].as_tuple() == (1, 0, 0)
    assert got["total"].as_tuple() == (3, 2, 1)


# -- the page -------------------------------------------------------------------------------


@pytest.fixture
def as_of(settings):
    settings.WENYI_TODAY = D(2014, 9, 16)


def _url(campaign, name="reporting:completeness"):
    return reverse(name, kwargs={"slug": campaign.slug})


def test_office_sees_the_city_on_top_of_every_county(
    as_of, linyi, office, county_a, county_b, login
):
    send(office, linyi, county_a, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 4, 9))
    response = login(office).get(_url(linyi))
    assert response.status_code == 200
    rows = response.context["table"].rows
    assert [r.unit.code for r in rows] == ["371300", "371302", "371311"]
    assert rows[0].rolls_up
    body = response.content.decode()
    assert 'data-unit="371311"' in body
    assert 'data-testid="completeness-legend"' in body


def test_coordinator_sees_only_their_county(
    as_of, linyi, office, coordinator_a, county_a, county_b, login
):
    send(office, linyi, county_b, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 4, 9))
    response = login(coordinator_a).get(_url(linyi))
    assert response.status_code == 200
    assert [r.unit.code for r in response.context["table"].rows] == ["371302"]
    body = response.content.decode()
    assert 'data-unit="371311"' not in body
    assert 'data-unit="371300"' not in body
    assert response.context["table"].rows[0].total.submitted == 0


@pytest.mark.parametrize("who", ["artist", "expert"])
def test_logins_managing_no_unit_get_403(as_of, linyi, request, login, who):
    user = request.getfixturevalue(who)
    assert login(user).get(_url(linyi)).status_code == 403
    assert login(user).get(_url(linyi, "reporting:completeness_xlsx")).status_code == 403


def test_anonymous_is_sent_to_the_login_page(as_of, linyi, anonymous):
    response = anonymous.get(_url(linyi))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_unknown_campaign_is_404(as_of, linyi, office, login):
    url = reverse("reporting:completeness", kwargs={"slug": "no-such-campaign"})
    assert login(office).get(url).status_code == 404


def test_month_filter_on_the_page(as_of, linyi, office, county_a, login):
    response = login(office).get(_url(linyi), {"month": "2014-08"})
    assert response.context["table"].month == AUGUST
    assert [c.kind for c in response.context["table"].columns] == [
        ReportKind.MONTHLY_PLAN,
        ReportKind.MONTHLY_PROGRESS,
    ]
    assert "?month=2014-08" in response.content.decode()
    # a month without reports, or nonsense, shows every month
    for value in ("2014-12", "x"):
        response = login(office).get(_url(linyi), {"month": value})
        assert response.context["table"].month is None
        assert len(response.context["table"].columns) == 6


def test_xlsx_holds_the_same_numbers(as_of, linyi, office, county_a, county_b, login):
    from openpyxl import load_workbook

    send(office, linyi, county_a, ReportKind.UNIT_PLAN, JULY, _at(2014, 7, 30, 9))
    send(office, linyi, county_b, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 9, 9))
    client = login(office)
    shown = client.get(_url(linyi)).context["table"]
    response = client.get(_url(linyi, "reporting:completeness_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert linyi.title in ws["A1"].value
    assert "2014-09-16" in ws["A2"].value
    lines = {r[0]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    assert set(lines) == {"371300", "371302", "371311"}
    for row in shown.rows:
        line = lines[row.unit.code]
        assert line[1] == row.unit.name
        assert line[2] == row.units
        numbers = [n for cell in row.cells for n in cell.as_tuple()]
        assert list(line[3 : 3 + len(numbers)]) == numbers
        total = row.total
        assert list(line[3 + len(numbers) : -2]) == [
            total.expected,
            total.submitted,
            total.on_time,
            total.missing,
            total.late,
        ]
        assert line[-2] == pytest.approx(total.rate, abs=1e-4)
        assert line[-1] == pytest.approx(total.on_time_rate, abs=1e-4)
    assert lines["371300"][3 + 3 * 6 :][:3] == (12, 2, 1)


def test_coordinator_xlsx_holds_only_their_county(
    as_of, linyi, coordinator_a, county_a, county_b, login
):
    from openpyxl import load_workbook

    response = login(coordinator_a).get(_url(linyi, "reporting:completeness_xlsx"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in ws.iter_rows(min_row=5, values_only=True) if r[0]] == ["371302"]


def _county(city, n, office, linyi):
    unit = OrgUnitFactory(parent=city, code=f"3713{90 + n}", kind=UnitKind.DISTRICT)
    user = UserFactory(username=f"coordinator_x{n}")
    PersonFactory(user=user, unit=unit)
    membership(user, unit, Role.COORDINATOR)
    send(office, linyi, unit, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 4, 9))
    send(office, linyi, unit, ReportKind.MONTHLY_PLAN, SEPTEMBER, _at(2014, 9, 8, 9))
    return unit


def test_query_count_does_not_grow_with_the_counties(
    as_of, linyi, city, office, login, django_assert_max_num_queries
):
    client = login(office)
    _county(city, 1, office, linyi)
    url = _url(linyi)
    client.get(url)  # the session and caches settle
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _county(city, 2, office, linyi)
    _county(city, 3, office, linyi)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["table"].rows) == 4


def test_coordinator_of_two_counties_gets_a_total_row(
    as_of, linyi, office, coordinator_a, county_a, county_b, login
):
    membership(coordinator_a, county_b, Role.COORDINATOR)
    send(office, linyi, county_b, ReportKind.MONTHLY_PLAN, AUGUST, _at(2014, 8, 4, 9))
    response = login(coordinator_a).get(_url(linyi))
    shown = response.context["table"]
    assert [r.unit.code for r in shown.rows] == ["371302", "371311"]
    assert shown.total.as_tuple() == (12, 1, 1)
    assert response.content.decode().count('<tr class="fw-semibold">') == 1


def test_unit_names_are_escaped(as_of, linyi, office, county_a, login):
    county_a.name = "<b>兰山区</b>"
    county_a.save(update_fields=["name"])
    body = login(office).get(_url(linyi)).content.decode()
    assert "&lt;b&gt;兰山区&lt;/b&gt;" in body
    assert "<b>兰山区" not in body


def test_a_campaign_with_more_reports_than_one_mask_holds(db, city, county_a, office):
    from tests.factories import CampaignFactory, StageFactory

    campaign = CampaignFactory(
        start=D(2014, 1, 1),
        end=D(2016, 12, 31),
        owner_unit_code=city.code,
        participant_depth=1,
        implementation_stage_key="run",
        summary_due=D(2016, 12, 20),
    )
    StageFactory(campaign=campaign, key="run", start=D(2014, 1, 1), end=D(2016, 12, 31))
    assert len(deadlines.slots(campaign)) == 36 * 2 + 1 > 62
    send(office, campaign, county_a, ReportKind.MONTHLY_PROGRESS, D(2014, 1, 1), _at(2014, 2, 3))
    send(office, campaign, county_a, ReportKind.MONTHLY_PROGRESS, D(2016, 11, 1), _at(2016, 11, 3))
    send(office, campaign, county_a, ReportKind.SUMMARY, D(2016, 12, 1), _at(2016, 12, 20, 23))
    result = table(campaign, [city, county_a], D(2017, 1, 1))
    got = cells(result, "371300")
    assert got["2014-01"].as_tuple() == (2, 1, 0)
    assert got["2016-11"].as_tuple() == (2, 1, 1)
    assert got["2016-12:summary"].as_tuple() == (1, 1, 1)
    assert got["total"].as_tuple() == (73, 3, 2)
